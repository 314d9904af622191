package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B64;
import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.I;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's Q6_K: super-blocks of 256 values as {@code {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; fp16 d}}
 * (210 bytes). Each half of 128 values uses 64 bytes of ql (low 4 bits), 32 of qh (2 high bits each) and 8
 * scales; value = d·scale·(q − 32), one scale per 16 values.
 */
final class Q6_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 210;

    Q6_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q6_K;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4(r, x, t * cols, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dot(r, x, t * cols);
            }
        }
    }

    private float scale(long bo, int i) {
        return data.get(ValueLayout.JAVA_BYTE, bo + 192 + i);
    }

    // Kernel layout: for each half n and each 16-value slice g (l = 16g..16g+15), the bytes ql[l], ql[l+32] and
    // qh[l] are loaded 8 at a time and zero-extended straight into 32-bit lanes (u: l..l+7, v: l+8..l+15), where
    // the nibble and 2-bit fields are split with full-width int and/or/shift (no byte-lane shifts) and converted
    // to floats; the four groups q1..q4 are the values l, l+32, l+64, l+96. Each group is summed as
    // (d·scale)·(v·x[8..16) + u·x[0..8)); dot and dot4 share this order (bit-identical). The lane sum at the end
    // is Simd.sum8's, written out: C2 stops inlining calls in a kernel this large (NodeCountInliningCutoff), and
    // a vector passed to a call that is not inlined is boxed on the heap, once per row. For the same reason the
    // scales are read as needed rather than through a scratch array, which the JIT allocated once per row.

    @Override
    public float dot(int row, float[] x, int xOffset) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo + 208);
            for (int n = 0; n < 2; n++) {
                for (int g = 0; g < 2; g++) {
                    long ql = bo + 64 * n + 16 * g;
                    long qh = bo + 128 + 32 * n + 16 * g;
                    IntVector qa0 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector qa1 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql + 8, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector qb0 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector qb1 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql + 40, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h0 = (IntVector) ByteVector.fromMemorySegment(B64, data, qh, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h1 = (IntVector) ByteVector.fromMemorySegment(B64, data, qh + 8, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    int xi = xOffset + b * 256 + 128 * n + 16 * g;
                    int si = 8 * n + g;
                    FloatVector u = (FloatVector) qa0.and(0x0F).or(h0.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    FloatVector v = (FloatVector) qa1.and(0x0F).or(h1.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    acc = v.fma(FloatVector.fromArray(F, x, xi + 8), u.mul(FloatVector.fromArray(F, x, xi))).fma(FloatVector.broadcast(F, d * data.get(ValueLayout.JAVA_BYTE, bo + 192 + si)), acc);
                    u = (FloatVector) qb0.and(0x0F).or(h0.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    v = (FloatVector) qb1.and(0x0F).or(h1.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    acc = v.fma(FloatVector.fromArray(F, x, xi + 40), u.mul(FloatVector.fromArray(F, x, xi + 32))).fma(FloatVector.broadcast(F, d * data.get(ValueLayout.JAVA_BYTE, bo + 192 + si + 2)), acc);
                    u = (FloatVector) qa0.lanewise(VectorOperators.LSHR, 4).or(h0.and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    v = (FloatVector) qa1.lanewise(VectorOperators.LSHR, 4).or(h1.and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    acc = v.fma(FloatVector.fromArray(F, x, xi + 72), u.mul(FloatVector.fromArray(F, x, xi + 64))).fma(FloatVector.broadcast(F, d * data.get(ValueLayout.JAVA_BYTE, bo + 192 + si + 4)), acc);
                    u = (FloatVector) qb0.lanewise(VectorOperators.LSHR, 4).or(h0.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    v = (FloatVector) qb1.lanewise(VectorOperators.LSHR, 4).or(h1.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
                    acc = v.fma(FloatVector.fromArray(F, x, xi + 104), u.mul(FloatVector.fromArray(F, x, xi + 96))).fma(FloatVector.broadcast(F, d * data.get(ValueLayout.JAVA_BYTE, bo + 192 + si + 6)), acc);
                }
            }
        }
        FloatVector h = acc.add(acc.rearrange(Simd.ROTATE_HALVES));
        h = h.add(h.rearrange(Simd.ROTATE_PAIRS));
        return h.lane(0) + h.lane(1);
    }

    @Override
    protected void dot4(int row, float[] x, int xOffset, float[] y, int yIndex, int yStride) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        int c = cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo + 208);
            for (int n = 0; n < 2; n++) {
                for (int g = 0; g < 2; g++) {
                    long ql = bo + 64 * n + 16 * g;
                    long qh = bo + 128 + 32 * n + 16 * g;
                    IntVector qa0 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector qa1 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql + 8, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector qb0 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector qb1 = (IntVector) ByteVector.fromMemorySegment(B64, data, ql + 40, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h0 = (IntVector) ByteVector.fromMemorySegment(B64, data, qh, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h1 = (IntVector) ByteVector.fromMemorySegment(B64, data, qh + 8, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    int xi = xOffset + b * 256 + 128 * n + 16 * g;
                    for (int k = 0; k < 4; k++) {
                        IntVector qu = switch (k) {
                            case 0 -> qa0.and(0x0F).or(h0.lanewise(VectorOperators.LSHL, 4).and(0x30));
                            case 1 -> qb0.and(0x0F).or(h0.lanewise(VectorOperators.LSHL, 2).and(0x30));
                            case 2 -> qa0.lanewise(VectorOperators.LSHR, 4).or(h0.and(0x30));
                            default -> qb0.lanewise(VectorOperators.LSHR, 4).or(h0.lanewise(VectorOperators.LSHR, 2).and(0x30));
                        };
                        IntVector qv = switch (k) {
                            case 0 -> qa1.and(0x0F).or(h1.lanewise(VectorOperators.LSHL, 4).and(0x30));
                            case 1 -> qb1.and(0x0F).or(h1.lanewise(VectorOperators.LSHL, 2).and(0x30));
                            case 2 -> qa1.lanewise(VectorOperators.LSHR, 4).or(h1.and(0x30));
                            default -> qb1.lanewise(VectorOperators.LSHR, 4).or(h1.lanewise(VectorOperators.LSHR, 2).and(0x30));
                        };
                        FloatVector u = (FloatVector) qu.sub(32).convert(VectorOperators.I2F, 0);
                        FloatVector v = (FloatVector) qv.sub(32).convert(VectorOperators.I2F, 0);
                        FloatVector sv = FloatVector.broadcast(F, d * data.get(ValueLayout.JAVA_BYTE, bo + 192 + 8 * n + g + 2 * k));
                        int xk = xi + 32 * k;
                        a0 = v.fma(FloatVector.fromArray(F, x, xk + 8), u.mul(FloatVector.fromArray(F, x, xk))).fma(sv, a0);
                        a1 = v.fma(FloatVector.fromArray(F, x, xk + 8 + c), u.mul(FloatVector.fromArray(F, x, xk + c))).fma(sv, a1);
                        a2 = v.fma(FloatVector.fromArray(F, x, xk + 8 + 2 * c), u.mul(FloatVector.fromArray(F, x, xk + 2 * c))).fma(sv, a2);
                        a3 = v.fma(FloatVector.fromArray(F, x, xk + 8 + 3 * c), u.mul(FloatVector.fromArray(F, x, xk + 3 * c))).fma(sv, a3);
                    }
                }
            }
        }
        FloatVector h0 = a0.add(a0.rearrange(Simd.ROTATE_HALVES));
        FloatVector h1 = a1.add(a1.rearrange(Simd.ROTATE_HALVES));
        FloatVector h2 = a2.add(a2.rearrange(Simd.ROTATE_HALVES));
        FloatVector h3 = a3.add(a3.rearrange(Simd.ROTATE_HALVES));
        h0 = h0.add(h0.rearrange(Simd.ROTATE_PAIRS));
        h1 = h1.add(h1.rearrange(Simd.ROTATE_PAIRS));
        h2 = h2.add(h2.rearrange(Simd.ROTATE_PAIRS));
        h3 = h3.add(h3.rearrange(Simd.ROTATE_PAIRS));
        y[yIndex] = h0.lane(0) + h0.lane(1);
        y[yIndex + yStride] = h1.lane(0) + h1.lane(1);
        y[yIndex + 2 * yStride] = h2.lane(0) + h2.lane(1);
        y[yIndex + 3 * yStride] = h3.lane(0) + h3.lane(1);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo + 208);
            for (int n = 0; n < 2; n++) {
                long ql = bo + 64 * n;
                long qh = bo + 128 + 32 * n;
                int sc = 8 * n;
                int y = outOffset + b * 256 + 128 * n;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = KQuants.u8(data, qh + l);
                    int q1 = (byte) ((KQuants.u8(data, ql + l) & 0xF) | (((h >> 0) & 3) << 4)) - 32;
                    int q2 = (byte) ((KQuants.u8(data, ql + l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = (byte) ((KQuants.u8(data, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = (byte) ((KQuants.u8(data, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    out[y + l] = d * scale(bo, sc + is) * q1;
                    out[y + l + 32] = d * scale(bo, sc + is + 2) * q2;
                    out[y + l + 64] = d * scale(bo, sc + is + 4) * q3;
                    out[y + l + 96] = d * scale(bo, sc + is + 6) * q4;
                }
            }
        }
    }
}

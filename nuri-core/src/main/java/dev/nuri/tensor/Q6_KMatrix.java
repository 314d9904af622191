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
import jdk.incubator.vector.VectorShuffle;

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
                dot4Sliced(r, prepared, t * cols, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotSliced(r, prepared, t * cols);
            }
        }
    }

    /** The activations in the order the kernels read them: see {@link Simd#sliceOrder}. */
    @Override
    protected float[] prepare(float[] x, int n) {
        return Simd.sliceOrder(x, 0, n * cols, 0);
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotSliced(row, Simd.sliceOrder(x, xOffset, cols, 0), 0);
    }

    private float scale(long bo, int i) {
        return data.get(ValueLayout.JAVA_BYTE, bo + 192 + i);
    }

    // Kernel layout ("sliced"): for each half n, ql[0..32), ql[32..64) and qh[0..32) are loaded as 8 int lanes
    // each (lane i holds bytes 4i..4i+3), and one full-width and/or/shift per 32 values builds the 6-bit fields
    // of group k (values 32k..32k+31 of the half: q1..q4 of the dequantization loop) in the four bytes of each
    // lane. qh is xored with 0xAA.. first, which flips the top bit of every 6-bit field, so the field read as a
    // signed 6-bit number is q − 32 (exactly); byte j comes out sign-extended by a shift left and an arithmetic
    // shift right by 26. Lane i of byte j is value 4i+j, so x is read in the matching order (Simd.sliceOrder), and the
    // lanes 0..3 and 4..7 of group k take the scales 2k and 2k+1 of the half. Per 32 values:
    // p = Σ_j byte_j·x_j (a product, then three fmas in j order), acc = p·(d·scale) + acc. dotSliced and
    // dot4Sliced share this order (bit-identical). Written as a loop over k with switches, C2 keeps one compact
    // body; written out four times, it unrolled and spilled (Q6_K rows of 256 values, one core: 50 against 77 ns;
    // the previous kernel that zero-extended 8 bytes at a time took 63). The lane sum at the end is Simd.sum8's,
    // written out: C2 stops inlining calls in a kernel this large, and a vector passed to a call that is not
    // inlined is boxed on the heap, once per row.

    static final VectorShuffle<Float> GROUP_0 = VectorShuffle.fromOp(F, i -> i < 4 ? 0 : 1);
    static final VectorShuffle<Float> GROUP_1 = VectorShuffle.fromOp(F, i -> i < 4 ? 2 : 3);
    static final VectorShuffle<Float> GROUP_2 = VectorShuffle.fromOp(F, i -> i < 4 ? 4 : 5);
    static final VectorShuffle<Float> GROUP_3 = VectorShuffle.fromOp(F, i -> i < 4 ? 6 : 7);

    /** Row {@code row}'s dot product with {@code px[xOffset ..]}, a vector in {@link Simd#sliceOrder}. */
    private float dotSliced(int row, float[] px, int xOffset) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo + 208);
            for (int n = 0; n < 2; n++) {
                IntVector lo = IntVector.fromMemorySegment(I, data, bo + 64 * n, LE);
                IntVector hi = IntVector.fromMemorySegment(I, data, bo + 64 * n + 32, LE);
                IntVector h = IntVector.fromMemorySegment(I, data, bo + 128 + 32 * n, LE).lanewise(VectorOperators.XOR, 0xAAAAAAAA);
                FloatVector sc = ((FloatVector) ByteVector.fromMemorySegment(B64, data, bo + 192 + 8 * n, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d);
                int xi = xOffset + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    IntVector q = switch (k) {
                        case 0 -> lo.and(0x0F0F0F0F).or(h.and(0x03030303).lanewise(VectorOperators.LSHL, 4));
                        case 1 -> hi.and(0x0F0F0F0F).or(h.and(0x0C0C0C0C).lanewise(VectorOperators.LSHL, 2));
                        case 2 -> lo.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(h.and(0x30303030));
                        default -> hi.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                    };
                    VectorShuffle<Float> group = switch (k) {
                        case 0 -> GROUP_0;
                        case 1 -> GROUP_1;
                        case 2 -> GROUP_2;
                        default -> GROUP_3;
                    };
                    int xk = xi + 32 * k;
                    FloatVector p = ((FloatVector) q.lanewise(VectorOperators.LSHL, 26).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, px, xk));
                    p = ((FloatVector) q.lanewise(VectorOperators.LSHL, 18).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 8), p);
                    p = ((FloatVector) q.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 16), p);
                    p = ((FloatVector) q.lanewise(VectorOperators.LSHL, 2).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 24), p);
                    acc = p.fma(sc.rearrange(group), acc);
                }
            }
        }
        FloatVector h = acc.add(acc.rearrange(Simd.ROTATE_HALVES));
        h = h.add(h.rearrange(Simd.ROTATE_PAIRS));
        return h.lane(0) + h.lane(1);
    }

    /** {@link #dotSliced} for the four vectors {@code px[xOffset + t*cols ..]}, each block unpacked once. */
    private void dot4Sliced(int row, float[] px, int xOffset, float[] y, int yIndex, int yStride) {
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
                IntVector lo = IntVector.fromMemorySegment(I, data, bo + 64 * n, LE);
                IntVector hi = IntVector.fromMemorySegment(I, data, bo + 64 * n + 32, LE);
                IntVector h = IntVector.fromMemorySegment(I, data, bo + 128 + 32 * n, LE).lanewise(VectorOperators.XOR, 0xAAAAAAAA);
                FloatVector sc = ((FloatVector) ByteVector.fromMemorySegment(B64, data, bo + 192 + 8 * n, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d);
                int xi = xOffset + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    IntVector q = switch (k) {
                        case 0 -> lo.and(0x0F0F0F0F).or(h.and(0x03030303).lanewise(VectorOperators.LSHL, 4));
                        case 1 -> hi.and(0x0F0F0F0F).or(h.and(0x0C0C0C0C).lanewise(VectorOperators.LSHL, 2));
                        case 2 -> lo.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(h.and(0x30303030));
                        default -> hi.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                    };
                    VectorShuffle<Float> group = switch (k) {
                        case 0 -> GROUP_0;
                        case 1 -> GROUP_1;
                        case 2 -> GROUP_2;
                        default -> GROUP_3;
                    };
                    FloatVector s = sc.rearrange(group);
                    FloatVector w0 = (FloatVector) q.lanewise(VectorOperators.LSHL, 26).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0);
                    FloatVector w1 = (FloatVector) q.lanewise(VectorOperators.LSHL, 18).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0);
                    FloatVector w2 = (FloatVector) q.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0);
                    FloatVector w3 = (FloatVector) q.lanewise(VectorOperators.LSHL, 2).lanewise(VectorOperators.ASHR, 26).convert(VectorOperators.I2F, 0);
                    int xk = xi + 32 * k;
                    a0 = w3.fma(FloatVector.fromArray(F, px, xk + 24), w2.fma(FloatVector.fromArray(F, px, xk + 16),
                            w1.fma(FloatVector.fromArray(F, px, xk + 8), w0.mul(FloatVector.fromArray(F, px, xk))))).fma(s, a0);
                    a1 = w3.fma(FloatVector.fromArray(F, px, xk + c + 24), w2.fma(FloatVector.fromArray(F, px, xk + c + 16),
                            w1.fma(FloatVector.fromArray(F, px, xk + c + 8), w0.mul(FloatVector.fromArray(F, px, xk + c))))).fma(s, a1);
                    a2 = w3.fma(FloatVector.fromArray(F, px, xk + 2 * c + 24), w2.fma(FloatVector.fromArray(F, px, xk + 2 * c + 16),
                            w1.fma(FloatVector.fromArray(F, px, xk + 2 * c + 8), w0.mul(FloatVector.fromArray(F, px, xk + 2 * c))))).fma(s, a2);
                    a3 = w3.fma(FloatVector.fromArray(F, px, xk + 3 * c + 24), w2.fma(FloatVector.fromArray(F, px, xk + 3 * c + 16),
                            w1.fma(FloatVector.fromArray(F, px, xk + 3 * c + 8), w0.mul(FloatVector.fromArray(F, px, xk + 3 * c))))).fma(s, a3);
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

package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B64;
import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.I;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * ggml's Q2_K: super-blocks of 256 values as {@code {uint8 scales[16]; uint8 qs[64]; fp16 d; fp16 dmin}}
 * (84 bytes): sixteen sub-blocks of 16 with a 4-bit scale (low nibble) and 4-bit min (high nibble); 2-bit
 * values; value = d·sc·q − dmin·m.
 *
 * <p>The kernels use the sliced layout ({@link Simd#sliceOrder}, as Q6_K): for each half n, its 32 bytes of qs are
 * loaded as 8 int lanes, and group k (values 32k..32k+31 of the half, bits 2k of each byte) is one shift and one
 * and away; byte j then comes out with a shift and an and. Lanes 0..3 and 4..7 of group k take the scales 2k and
 * 2k+1 of the half (Q6_K's shuffles); the mins term is Σ (dmin·m)·Σx over the 16-value groups, with Σx prepared
 * once per call. Per 32 values: p = Σ_j q_j·x_j (a product, then three fmas), acc = p·(d·sc) + acc; dotSliced and
 * dot4Sliced share this order. Unpacking a super-block into a buffer and dotting that instead was ten times
 * slower (one core: 314 against 30 ns per 256 weights).
 */
final class Q2_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 84;

    Q2_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q2_K;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int sums = n * cols;
        int per = cols / 16;
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4Sliced(r, prepared, t * cols, sums + t * per, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotSliced(r, prepared, t * cols, sums + t * per);
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotSliced(row, prepare(x, xOffset, 1), 0, cols);
    }

    @Override
    protected float[] prepare(float[] x, int n) {
        return prepare(x, 0, n);
    }

    /** The {@code n} vectors from {@code x[off ..]} in {@link Simd#sliceOrder}, then their Σx per 16 values. */
    private float[] prepare(float[] x, int off, int n) {
        int len = n * cols;
        float[] prepared = Simd.sliceOrder(x, off, len, len / 16);
        for (int g = 0; g < len / 16; g++) {
            int xi = off + 16 * g;
            prepared[len + g] = Simd.sum8(FloatVector.fromArray(F, x, xi).add(FloatVector.fromArray(F, x, xi + 8)));
        }
        return prepared;
    }

    /**
     * Row {@code row}'s dot product with the vector at {@code px[xOffset ..]} (in slice order); the mins term uses its
     * Σx per 16 values at {@code px[sumBase ..]}.
     */
    private float dotSliced(int row, float[] px, int xOffset, int sumBase) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        FloatVector minAcc = acc;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 80));
            float dmin = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 82));
            for (int n = 0; n < 2; n++) {
                IntVector scaleBytes = (IntVector) ByteVector.fromMemorySegment(B64, data, bo + 8 * n, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector sc = ((FloatVector) scaleBytes.and(0x0F).convert(VectorOperators.I2F, 0)).mul(d);
                FloatVector mn = ((FloatVector) scaleBytes.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(dmin);
                minAcc = mn.fma(FloatVector.fromArray(F, px, sumBase + b * 16 + 8 * n), minAcc);
                IntVector q = IntVector.fromMemorySegment(I, data, bo + 16 + 32 * n, LE);
                int xi = xOffset + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    IntVector v = q.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303);
                    VectorShuffle<Float> group = switch (k) {
                        case 0 -> Q6_KMatrix.GROUP_0;
                        case 1 -> Q6_KMatrix.GROUP_1;
                        case 2 -> Q6_KMatrix.GROUP_2;
                        default -> Q6_KMatrix.GROUP_3;
                    };
                    int xk = xi + 32 * k;
                    FloatVector p = ((FloatVector) v.and(0xFF).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, px, xk));
                    p = ((FloatVector) v.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 8), p);
                    p = ((FloatVector) v.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 16), p);
                    p = ((FloatVector) v.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 24), p);
                    acc = p.fma(sc.rearrange(group), acc);
                }
            }
        }
        FloatVector h = acc.add(acc.rearrange(Simd.ROTATE_HALVES));
        FloatVector hm = minAcc.add(minAcc.rearrange(Simd.ROTATE_HALVES));
        h = h.add(h.rearrange(Simd.ROTATE_PAIRS));
        hm = hm.add(hm.rearrange(Simd.ROTATE_PAIRS));
        return (h.lane(0) + h.lane(1)) - (hm.lane(0) + hm.lane(1));
    }

    /** {@link #dotSliced} for the four vectors at {@code px[xOffset + t*cols ..]}, each block unpacked once. */
    private void dot4Sliced(int row, float[] px, int xOffset, int sumBase, float[] y, int yIndex, int yStride) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        int c = cols;
        int per = cols / 16;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector m0 = a0;
        FloatVector m1 = a0;
        FloatVector m2 = a0;
        FloatVector m3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 80));
            float dmin = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 82));
            for (int n = 0; n < 2; n++) {
                IntVector scaleBytes = (IntVector) ByteVector.fromMemorySegment(B64, data, bo + 8 * n, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector sc = ((FloatVector) scaleBytes.and(0x0F).convert(VectorOperators.I2F, 0)).mul(d);
                FloatVector mn = ((FloatVector) scaleBytes.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(dmin);
                int si = sumBase + b * 16 + 8 * n;
                m0 = mn.fma(FloatVector.fromArray(F, px, si), m0);
                m1 = mn.fma(FloatVector.fromArray(F, px, si + per), m1);
                m2 = mn.fma(FloatVector.fromArray(F, px, si + 2 * per), m2);
                m3 = mn.fma(FloatVector.fromArray(F, px, si + 3 * per), m3);
                IntVector q = IntVector.fromMemorySegment(I, data, bo + 16 + 32 * n, LE);
                int xi = xOffset + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    IntVector v = q.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303);
                    VectorShuffle<Float> group = switch (k) {
                        case 0 -> Q6_KMatrix.GROUP_0;
                        case 1 -> Q6_KMatrix.GROUP_1;
                        case 2 -> Q6_KMatrix.GROUP_2;
                        default -> Q6_KMatrix.GROUP_3;
                    };
                    FloatVector w0 = (FloatVector) v.and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector w1 = (FloatVector) v.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector w2 = (FloatVector) v.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector w3 = (FloatVector) v.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0);
                    FloatVector s = sc.rearrange(group);
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
        FloatVector hm0 = m0.add(m0.rearrange(Simd.ROTATE_HALVES));
        h0 = h0.add(h0.rearrange(Simd.ROTATE_PAIRS));
        hm0 = hm0.add(hm0.rearrange(Simd.ROTATE_PAIRS));
        FloatVector h1 = a1.add(a1.rearrange(Simd.ROTATE_HALVES));
        FloatVector hm1 = m1.add(m1.rearrange(Simd.ROTATE_HALVES));
        h1 = h1.add(h1.rearrange(Simd.ROTATE_PAIRS));
        hm1 = hm1.add(hm1.rearrange(Simd.ROTATE_PAIRS));
        FloatVector h2 = a2.add(a2.rearrange(Simd.ROTATE_HALVES));
        FloatVector hm2 = m2.add(m2.rearrange(Simd.ROTATE_HALVES));
        h2 = h2.add(h2.rearrange(Simd.ROTATE_PAIRS));
        hm2 = hm2.add(hm2.rearrange(Simd.ROTATE_PAIRS));
        FloatVector h3 = a3.add(a3.rearrange(Simd.ROTATE_HALVES));
        FloatVector hm3 = m3.add(m3.rearrange(Simd.ROTATE_HALVES));
        h3 = h3.add(h3.rearrange(Simd.ROTATE_PAIRS));
        hm3 = hm3.add(hm3.rearrange(Simd.ROTATE_PAIRS));
        y[yIndex] = (h0.lane(0) + h0.lane(1)) - (hm0.lane(0) + hm0.lane(1));
        y[yIndex + yStride] = (h1.lane(0) + h1.lane(1)) - (hm1.lane(0) + hm1.lane(1));
        y[yIndex + 2 * yStride] = (h2.lane(0) + h2.lane(1)) - (hm2.lane(0) + hm2.lane(1));
        y[yIndex + 3 * yStride] = (h3.lane(0) + h3.lane(1)) - (hm3.lane(0) + hm3.lane(1));
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        long base = (long) row * (cols / 256) * BLOCK_BYTES;
        for (int b = 0; b < cols / 256; b++) {
            dequantizeBlock(base + (long) b * BLOCK_BYTES, out, outOffset + b * 256);
        }
    }

    private void dequantizeBlock(long bo, float[] out, int o) {
        float d = Simd.f16(data, bo + 80);
        float min = Simd.f16(data, bo + 82);
        long q = bo + 16;
        int is = 0;
        for (int n = 0; n < 256; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                int sc = KQuants.u8(data, bo + is++);
                float dl = d * (sc & 0xF);
                float ml = min * (sc >> 4);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * ((KQuants.u8(data, q + l) >> shift) & 3) - ml;
                }
                sc = KQuants.u8(data, bo + is++);
                dl = d * (sc & 0xF);
                ml = min * (sc >> 4);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * ((KQuants.u8(data, q + l + 16) >> shift) & 3) - ml;
                }
            }
        }
    }
}

package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.I;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's Q3_K: super-blocks of 256 values as {@code {uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; fp16 d}}
 * (110 bytes): 2 low bits in qs, the third bit in hmask (a clear bit means −4), sixteen 6-bit scales biased by
 * 32; value = d·(sc − 32)·q.
 *
 * <p>The kernels use the sliced layout ({@link Simd#sliceOrder}, as Q6_K): for each half n, the 32 bytes of qs and
 * the 32 of hmask are loaded as 8 int lanes, and for each group k (values 32k..32k+31 of the half) one shift, and,
 * shift, and, shift, or per 32 values build 3-bit fields q | hbit<<2 in the bytes of each lane; xored with 4 they
 * read, as signed 3-bit numbers, q − 4·(1 − hbit) exactly, and byte j comes out sign-extended by a shift pair.
 * Lanes 0..3 and 4..7 of group k take the scales 2k and 2k+1 of the half, spread from the unpacked scale bytes
 * into one vector per half. Per 32 values: p = Σ_j w_j·x_j (a product, then three fmas), acc = p·(d·(sc − 32)) +
 * acc; dotSliced and dot4Sliced share this order. Unpacking a super-block into a buffer and dotting that instead
 * was ten times slower (one core: 510 against about 50 ns per 256 weights).
 */
final class Q3_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 110;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_256;
    /** Lane 2m takes byte m of the low int, lane 2m+1 byte m of the high one. */
    private static final IntVector SCALE_SHIFT = IntVector.fromArray(I, new int[] {0, 0, 8, 8, 16, 16, 24, 24}, 0);
    // Lanes 0..3 take scale 2k of the half, lanes 4..7 scale 2k+1: scale m sits in lane 2m (m < 4) or 2(m-4)+1.
    private static final VectorShuffle<Float> GROUP_0 = VectorShuffle.fromOp(F, i -> i < 4 ? 0 : 2);
    private static final VectorShuffle<Float> GROUP_1 = VectorShuffle.fromOp(F, i -> i < 4 ? 4 : 6);
    private static final VectorShuffle<Float> GROUP_2 = VectorShuffle.fromOp(F, i -> i < 4 ? 1 : 3);
    private static final VectorShuffle<Float> GROUP_3 = VectorShuffle.fromOp(F, i -> i < 4 ? 5 : 7);

    Q3_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q3_K;
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

    @Override
    protected float[] prepare(float[] x, int n) {
        return Simd.sliceOrder(x, 0, n * cols, 0);
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotSliced(row, Simd.sliceOrder(x, xOffset, cols, 0), 0);
    }

    /** Row {@code row}'s dot product with {@code px[xOffset ..]}, a vector in {@link Simd#sliceOrder}. */
    private float dotSliced(int row, float[] px, int xOffset) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 108));
            int s0 = data.get(Simd.LE_INT, bo + 96);
            int s1 = data.get(Simd.LE_INT, bo + 100);
            int tmp = data.get(Simd.LE_INT, bo + 104);
            IntVector hm = IntVector.fromMemorySegment(I, data, bo, LE);
            for (int n = 0; n < 2; n++) {
                // scales 8n..8n+3 and 8n+4..8n+7 as the bytes of two ints (ggml's kmask unpacking), spread so that
                // lane 2m holds scale 8n+m and lane 2m+1 scale 8n+4+m
                int lo = n == 0 ? (s0 & 0x0F0F0F0F) | ((tmp & 0x03030303) << 4) : ((s0 >>> 4) & 0x0F0F0F0F) | (((tmp >>> 4) & 0x03030303) << 4);
                int hi = n == 0 ? (s1 & 0x0F0F0F0F) | (((tmp >>> 2) & 0x03030303) << 4) : ((s1 >>> 4) & 0x0F0F0F0F) | (((tmp >>> 6) & 0x03030303) << 4);
                FloatVector sc = ((FloatVector) LongVector.broadcast(L, ((long) hi << 32) | (lo & 0xFFFFFFFFL)).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, SCALE_SHIFT).and(0xFF).sub(32).convert(VectorOperators.I2F, 0)).mul(d);
                IntVector q = IntVector.fromMemorySegment(I, data, bo + 32 + 32 * n, LE);
                int xi = xOffset + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    IntVector v = q.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303)
                            .or(hm.lanewise(VectorOperators.LSHR, 4 * n + k).and(0x01010101).lanewise(VectorOperators.LSHL, 2))
                            .lanewise(VectorOperators.XOR, 0x04040404);
                    VectorShuffle<Float> group = switch (k) {
                        case 0 -> GROUP_0;
                        case 1 -> GROUP_1;
                        case 2 -> GROUP_2;
                        default -> GROUP_3;
                    };
                    int xk = xi + 32 * k;
                    FloatVector p = ((FloatVector) v.lanewise(VectorOperators.LSHL, 29).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, px, xk));
                    p = ((FloatVector) v.lanewise(VectorOperators.LSHL, 21).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 8), p);
                    p = ((FloatVector) v.lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 16), p);
                    p = ((FloatVector) v.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, px, xk + 24), p);
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
            float d = Float.float16ToFloat(data.get(Simd.LE_SHORT, bo + 108));
            int s0 = data.get(Simd.LE_INT, bo + 96);
            int s1 = data.get(Simd.LE_INT, bo + 100);
            int tmp = data.get(Simd.LE_INT, bo + 104);
            IntVector hm = IntVector.fromMemorySegment(I, data, bo, LE);
            for (int n = 0; n < 2; n++) {
                // scales 8n..8n+3 and 8n+4..8n+7 as the bytes of two ints (ggml's kmask unpacking), spread so that
                // lane 2m holds scale 8n+m and lane 2m+1 scale 8n+4+m
                int lo = n == 0 ? (s0 & 0x0F0F0F0F) | ((tmp & 0x03030303) << 4) : ((s0 >>> 4) & 0x0F0F0F0F) | (((tmp >>> 4) & 0x03030303) << 4);
                int hi = n == 0 ? (s1 & 0x0F0F0F0F) | (((tmp >>> 2) & 0x03030303) << 4) : ((s1 >>> 4) & 0x0F0F0F0F) | (((tmp >>> 6) & 0x03030303) << 4);
                FloatVector sc = ((FloatVector) LongVector.broadcast(L, ((long) hi << 32) | (lo & 0xFFFFFFFFL)).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, SCALE_SHIFT).and(0xFF).sub(32).convert(VectorOperators.I2F, 0)).mul(d);
                IntVector q = IntVector.fromMemorySegment(I, data, bo + 32 + 32 * n, LE);
                int xi = xOffset + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    IntVector v = q.lanewise(VectorOperators.LSHR, 2 * k).and(0x03030303)
                            .or(hm.lanewise(VectorOperators.LSHR, 4 * n + k).and(0x01010101).lanewise(VectorOperators.LSHL, 2))
                            .lanewise(VectorOperators.XOR, 0x04040404);
                    VectorShuffle<Float> group = switch (k) {
                        case 0 -> GROUP_0;
                        case 1 -> GROUP_1;
                        case 2 -> GROUP_2;
                        default -> GROUP_3;
                    };
                    FloatVector w0 = (FloatVector) v.lanewise(VectorOperators.LSHL, 29).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0);
                    FloatVector w1 = (FloatVector) v.lanewise(VectorOperators.LSHL, 21).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0);
                    FloatVector w2 = (FloatVector) v.lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0);
                    FloatVector w3 = (FloatVector) v.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 29).convert(VectorOperators.I2F, 0);
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
        int[] scales = new int[16];
        long base = (long) row * (cols / 256) * BLOCK_BYTES;
        for (int b = 0; b < cols / 256; b++) {
            dequantizeBlock(base + (long) b * BLOCK_BYTES, out, outOffset + b * 256, scales);
        }
    }

    private void dequantizeBlock(long bo, float[] out, int o, int[] scales) {
        float dAll = Simd.f16(data, bo + 108);
        KQuants.q3kScales(data, bo + 96, scales);
        long q = bo + 32;
        long hm = bo;
        int m = 1;
        int is = 0;
        for (int n = 0; n < 256; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                float dl = dAll * (scales[is++] - 32);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * (((KQuants.u8(data, q + l) >> shift) & 3) - ((KQuants.u8(data, hm + l) & m) != 0 ? 0 : 4));
                }
                dl = dAll * (scales[is++] - 32);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * (((KQuants.u8(data, q + l + 16) >> shift) & 3) - ((KQuants.u8(data, hm + l + 16) & m) != 0 ? 0 : 4));
                }
            }
        }
    }
}

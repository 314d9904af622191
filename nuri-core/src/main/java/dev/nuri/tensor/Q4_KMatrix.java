package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B128;
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
 * ggml's Q4_K: super-blocks of 256 values as {@code {fp16 d; fp16 dmin; uint8 scales[12]; uint8 qs[128]}}
 * (144 bytes): eight sub-blocks of 32 with 6-bit scales sc and mins m ({@link KQuants#scaleMinK4}); each 32
 * bytes of qs hold two sub-blocks (low nibbles, then high nibbles); value = d·sc·q − dmin·m.
 * Dot: Σ_sub (d·sc)·Σq·x − Σ_sub (dmin·m)·Σx, the six-bit scales unpacked per block into one long (a byte
 * each) and the mins term accumulated lane-wise (one lane per sub-block) in its own vector, reduced once per row.
 * qs is read 32 bytes at a time as 8 int lanes (the "sliced" layout of {@link Simd#sliceOrder}): nibble field f
 * of lane i (f = 0, 8, 16, 24 for the low nibbles, +4 for the high ones) is taken out with one shift and one
 * and, so byte j of every lane is value 4i+j of the sub-block, and x is prepared in that order. Per sub-block:
 * p = Σ_j nibble_j·x_j (a product, then three fmas in j order), acc = p·(d·sc) + acc. dotPrepared and
 * dot4Prepared share this order (same bits). Reading 8 bytes at a time zero-extended into int lanes instead was
 * slower (one core, 4096 columns in cache: 3.4 against 4.5-4.8 GB/s). The kernels are too large for C2 to
 * inline anything more into, so the lane sums (Simd.sum8's order) are written out and no scratch array is used:
 * a vector passed to a call left in place, or a scratch array, would be allocated on the heap once per row.
 */
final class Q4_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 144;

    // The 12 scale bytes read as int words u0, u1, u2 (u3 is the first 4 bytes of qs) unpack, as in ggml's kmask
    // shuffle, to the words [u0 & k1, (u2 & k2) | ((u0 >> 6) & k3) << 4, u1 & k1, ((u2 >> 4) & k2) | ((u1 >> 6) & k3) << 4]
    // (k1 = 0x3f.., k2 = 0x0f.., k3 = 0x03..): bytes 0..7 are the eight 6-bit scales, bytes 8..15 the eight mins,
    // the same fields as KQuants.scaleMinK4. Vector form: P = [u0, u2, u1, u2], Q = [u0, u0, u1, u1].
    static final VectorShuffle<Integer> SCALE_P = VectorShuffle.fromValues(IntVector.SPECIES_128, 0, 2, 1, 2);
    static final VectorShuffle<Integer> SCALE_Q = VectorShuffle.fromValues(IntVector.SPECIES_128, 0, 0, 1, 1);
    static final IntVector SHIFT_P = IntVector.fromArray(IntVector.SPECIES_128, new int[] {0, 0, 0, 4}, 0);
    static final IntVector MASK_P = IntVector.fromArray(IntVector.SPECIES_128, new int[] {0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f}, 0);
    static final IntVector MASK_Q = IntVector.fromArray(IntVector.SPECIES_128, new int[] {0, 0x03030303, 0, 0x03030303}, 0);

    Q4_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q4_K;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int sums = n * cols;
        int per = cols / 32;
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4Prepared(r, prepared, t * cols, sums + t * per, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotPrepared(r, prepared, t * cols, sums + t * per);
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotPrepared(row, KQuants.slicedWithSubBlockSums(x, xOffset, 1, cols), 0, cols);
    }

    @Override
    protected float[] prepare(float[] x, int n) {
        return KQuants.slicedWithSubBlockSums(x, 0, n, cols);
    }

    /**
     * Row {@code row}'s dot product with the vector at {@code prepared[xOffset ..]} (in slice order); the mins term
     * uses its Σx per sub-block at {@code prepared[sumBase ..]}.
     */
    private float dotPrepared(int row, float[] x, int xOffset, int sumBase) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        FloatVector minAcc = acc;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            IntVector u = ByteVector.fromMemorySegment(B128, data, bo + 4, LE).reinterpretAsInts();
            ByteVector sm = u.rearrange(SCALE_P).lanewise(VectorOperators.LSHR, SHIFT_P).and(MASK_P)
                    .or(u.rearrange(SCALE_Q).lanewise(VectorOperators.LSHR, 6).and(MASK_Q).lanewise(VectorOperators.LSHL, 4)).reinterpretAsBytes();
            long scaleBytes = sm.reinterpretAsLongs().lane(0);
            float d = Simd.f16(data, bo);
            minAcc = ((FloatVector) sm.castShape(F, 1)).mul(Simd.f16(data, bo + 2)).fma(FloatVector.fromArray(F, x, sumBase + 8 * b), minAcc);
            for (int j = 0; j < 4; j++) {
                IntVector q = IntVector.fromMemorySegment(I, data, bo + 16 + 32 * j, LE);
                int xi = xOffset + b * 256 + 64 * j;
                FloatVector p = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xi));
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 8), p);
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 16), p);
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 24), p);
                acc = p.fma(FloatVector.broadcast(F, d * (float) ((scaleBytes >>> (16 * j)) & 0xFF)), acc);
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xi + 32));
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 32 + 8), p);
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 32 + 16), p);
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 32 + 24), p);
                acc = p.fma(FloatVector.broadcast(F, d * (float) ((scaleBytes >>> (16 * j + 8)) & 0xFF)), acc);
            }
        }
        FloatVector h = acc.add(acc.rearrange(Simd.ROTATE_HALVES));
        FloatVector hm = minAcc.add(minAcc.rearrange(Simd.ROTATE_HALVES));
        h = h.add(h.rearrange(Simd.ROTATE_PAIRS));
        hm = hm.add(hm.rearrange(Simd.ROTATE_PAIRS));
        return (h.lane(0) + h.lane(1)) - (hm.lane(0) + hm.lane(1));
    }

    /** {@link #dotPrepared} for the four vectors at {@code prepared[xOffset + t*cols ..]}, each block unpacked once. */
    private void dot4Prepared(int row, float[] x, int xOffset, int sumBase, float[] y, int yIndex, int yStride) {
        int per = cols / 32;
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector m0 = a0;
        FloatVector m1 = a0;
        FloatVector m2 = a0;
        FloatVector m3 = a0;
        int c = cols;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            IntVector u = ByteVector.fromMemorySegment(B128, data, bo + 4, LE).reinterpretAsInts();
            ByteVector sm = u.rearrange(SCALE_P).lanewise(VectorOperators.LSHR, SHIFT_P).and(MASK_P)
                    .or(u.rearrange(SCALE_Q).lanewise(VectorOperators.LSHR, 6).and(MASK_Q).lanewise(VectorOperators.LSHL, 4)).reinterpretAsBytes();
            long scaleBytes = sm.reinterpretAsLongs().lane(0);
            float d = Simd.f16(data, bo);
            FloatVector min = ((FloatVector) sm.castShape(F, 1)).mul(Simd.f16(data, bo + 2));
            int sub = sumBase + 8 * b;
            m0 = min.fma(FloatVector.fromArray(F, x, sub), m0);
            m1 = min.fma(FloatVector.fromArray(F, x, sub + per), m1);
            m2 = min.fma(FloatVector.fromArray(F, x, sub + 2 * per), m2);
            m3 = min.fma(FloatVector.fromArray(F, x, sub + 3 * per), m3);
            for (int j = 0; j < 4; j++) {
                IntVector q = IntVector.fromMemorySegment(I, data, bo + 16 + 32 * j, LE);
                int xi = xOffset + b * 256 + 64 * j;
                FloatVector w0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0));
                FloatVector w1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(0x0F).convert(VectorOperators.I2F, 0));
                FloatVector w2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(0x0F).convert(VectorOperators.I2F, 0));
                FloatVector w3 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(0x0F).convert(VectorOperators.I2F, 0));
                FloatVector scale = FloatVector.broadcast(F, d * (float) ((scaleBytes >>> (16 * j)) & 0xFF));
                a0 = w3.fma(FloatVector.fromArray(F, x, xi + 24), w2.fma(FloatVector.fromArray(F, x, xi + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + 8), w0.mul(FloatVector.fromArray(F, x, xi))))).fma(scale, a0);
                a1 = w3.fma(FloatVector.fromArray(F, x, xi + c + 24), w2.fma(FloatVector.fromArray(F, x, xi + c + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + c + 8), w0.mul(FloatVector.fromArray(F, x, xi + c))))).fma(scale, a1);
                a2 = w3.fma(FloatVector.fromArray(F, x, xi + 2 * c + 24), w2.fma(FloatVector.fromArray(F, x, xi + 2 * c + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + 2 * c + 8), w0.mul(FloatVector.fromArray(F, x, xi + 2 * c))))).fma(scale, a2);
                a3 = w3.fma(FloatVector.fromArray(F, x, xi + 3 * c + 24), w2.fma(FloatVector.fromArray(F, x, xi + 3 * c + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + 3 * c + 8), w0.mul(FloatVector.fromArray(F, x, xi + 3 * c))))).fma(scale, a3);
                w0 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).convert(VectorOperators.I2F, 0));
                w1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(0x0F).convert(VectorOperators.I2F, 0));
                w2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(0x0F).convert(VectorOperators.I2F, 0));
                w3 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0));
                scale = FloatVector.broadcast(F, d * (float) ((scaleBytes >>> (16 * j + 8)) & 0xFF));
                xi += 32;
                a0 = w3.fma(FloatVector.fromArray(F, x, xi + 24), w2.fma(FloatVector.fromArray(F, x, xi + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + 8), w0.mul(FloatVector.fromArray(F, x, xi))))).fma(scale, a0);
                a1 = w3.fma(FloatVector.fromArray(F, x, xi + c + 24), w2.fma(FloatVector.fromArray(F, x, xi + c + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + c + 8), w0.mul(FloatVector.fromArray(F, x, xi + c))))).fma(scale, a1);
                a2 = w3.fma(FloatVector.fromArray(F, x, xi + 2 * c + 24), w2.fma(FloatVector.fromArray(F, x, xi + 2 * c + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + 2 * c + 8), w0.mul(FloatVector.fromArray(F, x, xi + 2 * c))))).fma(scale, a2);
                a3 = w3.fma(FloatVector.fromArray(F, x, xi + 3 * c + 24), w2.fma(FloatVector.fromArray(F, x, xi + 3 * c + 16),
                        w1.fma(FloatVector.fromArray(F, x, xi + 3 * c + 8), w0.mul(FloatVector.fromArray(F, x, xi + 3 * c))))).fma(scale, a3);
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
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        int o = outOffset;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo);
            float min = Simd.f16(data, bo + 2);
            long q = bo + 16;
            for (int j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
                int sm0 = KQuants.scaleMinK4(data, bo + 4, is);
                int sm1 = KQuants.scaleMinK4(data, bo + 4, is + 1);
                float d1 = d * (sm0 & 0xFF);
                float m1 = min * (sm0 >>> 8);
                float d2 = d * (sm1 & 0xFF);
                float m2 = min * (sm1 >>> 8);
                for (int l = 0; l < 32; l++) {
                    out[o++] = d1 * (KQuants.u8(data, q + l) & 0xF) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    out[o++] = d2 * (KQuants.u8(data, q + l) >> 4) - m2;
                }
            }
        }
    }
}

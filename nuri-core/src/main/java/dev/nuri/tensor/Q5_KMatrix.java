package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B128;
import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's Q5_K: super-blocks of 256 values as
 * {@code {fp16 d; fp16 dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]}} (176 bytes). As Q4_K, with a fifth
 * bit per value: for the k-th 32-value sub-block, bit k of qh[l] is the high bit of value l.
 */
final class Q5_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 176;

    Q5_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q5_K;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        for (int t = 0; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dotPrepared(r, x, t * cols, prepared, t);
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        return dotPrepared(row, x, xOffset, KQuants.subBlockSums(x, xOffset, 1, cols), 0);
    }

    @Override
    protected float[] prepare(float[] x, int n) {
        return KQuants.subBlockSums(x, 0, n, cols);
    }

    /** The mins term uses Σx per sub-block from {@code sums} (token {@code token}), computed once per call. */
    private float dotPrepared(int row, float[] x, int xOffset, float[] sums, int token) {
        int sumBase = token * (cols / 32);
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        float minSum = 0;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo);
            float dmin = Simd.f16(data, bo + 2);
            // the 12 scale bytes as three little-endian ints; unpacked inline as in KQuants.scaleMinK4
            int s0 = data.get(Simd.LE_INT, bo + 4);
            int s1 = data.get(Simd.LE_INT, bo + 8);
            int s2 = data.get(Simd.LE_INT, bo + 12);
            ByteVector hA = ByteVector.fromMemorySegment(B128, data, bo + 16, LE);
            ByteVector hB = ByteVector.fromMemorySegment(B128, data, bo + 32, LE);
            for (int j = 0; j < 4; j++) {
                int xi = xOffset + b * 256 + 64 * j;
                ByteVector qa = ByteVector.fromMemorySegment(B128, data, bo + 48 + 32 * j, LE);
                ByteVector qb = ByteVector.fromMemorySegment(B128, data, bo + 64 + 32 * j, LE);
                int sm0 = (j < 2 ? ((s0 >>> (16 * j)) & 63) | (((s1 >>> (16 * j)) & 63) << 8)
                        : ((s2 >>> (16 * j - 32)) & 0xF) | (((s0 >>> (16 * j - 32 + 6)) & 3) << 4)
                        | ((((s2 >>> (16 * j - 32 + 4)) & 0xF) | (((s1 >>> (16 * j - 32 + 6)) & 3) << 4)) << 8));
                int sm1 = (j < 2 ? ((s0 >>> (16 * j + 8)) & 63) | (((s1 >>> (16 * j + 8)) & 63) << 8)
                        : ((s2 >>> (16 * j - 24)) & 0xF) | (((s0 >>> (16 * j - 24 + 6)) & 3) << 4)
                        | ((((s2 >>> (16 * j - 24 + 4)) & 0xF) | (((s1 >>> (16 * j - 24 + 6)) & 3) << 4)) << 8));
                ByteVector na = qa.and((byte) 0x0F).or(hA.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                ByteVector nb = qb.and((byte) 0x0F).or(hB.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                acc = ((FloatVector) na.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 8), ((FloatVector) na.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi))).add(((FloatVector) nb.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 24), ((FloatVector) nb.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 16))))
                        .fma(FloatVector.broadcast(F, d * (sm0 & 0xFF)), acc);
                minSum += dmin * (sm0 >>> 8) * sums[sumBase + 8 * b + 2 * j];
                ByteVector ma = qa.lanewise(VectorOperators.LSHR, 4).or(hA.lanewise(VectorOperators.LSHR, 2 * j + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                ByteVector mb = qb.lanewise(VectorOperators.LSHR, 4).or(hB.lanewise(VectorOperators.LSHR, 2 * j + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                acc = ((FloatVector) ma.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 32 + 8), ((FloatVector) ma.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 32))).add(((FloatVector) mb.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 32 + 24), ((FloatVector) mb.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 32 + 16))))
                        .fma(FloatVector.broadcast(F, d * (sm1 & 0xFF)), acc);
                minSum += dmin * (sm1 >>> 8) * sums[sumBase + 8 * b + 2 * j + 1];
            }
        }
        return Simd.sum8(acc) - minSum;
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
            long qh = bo + 16;
            long ql = bo + 48;
            int u1 = 1;
            int u2 = 2;
            for (int j = 0, is = 0; j < 256; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
                int sm0 = KQuants.scaleMinK4(data, bo + 4, is);
                int sm1 = KQuants.scaleMinK4(data, bo + 4, is + 1);
                float d1 = d * (sm0 & 0xFF);
                float m1 = min * (sm0 >>> 8);
                float d2 = d * (sm1 & 0xFF);
                float m2 = min * (sm1 >>> 8);
                for (int l = 0; l < 32; l++) {
                    out[o++] = d1 * ((KQuants.u8(data, ql + l) & 0xF) + ((KQuants.u8(data, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    out[o++] = d2 * ((KQuants.u8(data, ql + l) >> 4) + ((KQuants.u8(data, qh + l) & u2) != 0 ? 16 : 0)) - m2;
                }
            }
        }
    }
}

package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B128;
import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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

    private float scale(long bo, int i) {
        return data.get(ValueLayout.JAVA_BYTE, bo + 192 + i);
    }

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
                    ByteVector qlA = ByteVector.fromMemorySegment(B128, data, bo + 64 * n + 16 * g, LE);
                    ByteVector qlB = ByteVector.fromMemorySegment(B128, data, bo + 64 * n + 32 + 16 * g, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B128, data, bo + 128 + 32 * n + 16 * g, LE);
                    int xi = xOffset + b * 256 + 128 * n + 16 * g;
                    ByteVector q0 = qlA.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHR, 0).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    acc = ((FloatVector) q0.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 0 + 8), ((FloatVector) q0.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 0)))
                            .fma(FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 0)), acc);
                    ByteVector q1 = qlB.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    acc = ((FloatVector) q1.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 32 + 8), ((FloatVector) q1.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 32)))
                            .fma(FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 2)), acc);
                    ByteVector q2 = qlA.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    acc = ((FloatVector) q2.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 64 + 8), ((FloatVector) q2.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 64)))
                            .fma(FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 4)), acc);
                    ByteVector q3 = qlB.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    acc = ((FloatVector) q3.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 96 + 8), ((FloatVector) q3.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 96)))
                            .fma(FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 6)), acc);
                }
            }
        }
        return Simd.sum8(acc);
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
                    ByteVector qlA = ByteVector.fromMemorySegment(B128, data, bo + 64 * n + 16 * g, LE);
                    ByteVector qlB = ByteVector.fromMemorySegment(B128, data, bo + 64 * n + 32 + 16 * g, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B128, data, bo + 128 + 32 * n + 16 * g, LE);
                    int xi = xOffset + b * 256 + 128 * n + 16 * g;
                    ByteVector q0 = qlA.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHR, 0).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    FloatVector s0 = FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 0));
                    FloatVector u0 = ((FloatVector) q0.castShape(F, 0));
                    FloatVector v0 = ((FloatVector) q0.castShape(F, 1));
                    a0 = v0.fma(FloatVector.fromArray(F, x, xi + 0 + 8), u0.mul(FloatVector.fromArray(F, x, xi + 0))).fma(s0, a0);
                    a1 = v0.fma(FloatVector.fromArray(F, x, xi + 0 + c + 8), u0.mul(FloatVector.fromArray(F, x, xi + 0 + c))).fma(s0, a1);
                    a2 = v0.fma(FloatVector.fromArray(F, x, xi + 0 + 2 * c + 8), u0.mul(FloatVector.fromArray(F, x, xi + 0 + 2 * c))).fma(s0, a2);
                    a3 = v0.fma(FloatVector.fromArray(F, x, xi + 0 + 3 * c + 8), u0.mul(FloatVector.fromArray(F, x, xi + 0 + 3 * c))).fma(s0, a3);
                    ByteVector q1 = qlB.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    FloatVector s1 = FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 2));
                    FloatVector u1 = ((FloatVector) q1.castShape(F, 0));
                    FloatVector v1 = ((FloatVector) q1.castShape(F, 1));
                    a0 = v1.fma(FloatVector.fromArray(F, x, xi + 32 + 8), u1.mul(FloatVector.fromArray(F, x, xi + 32))).fma(s1, a0);
                    a1 = v1.fma(FloatVector.fromArray(F, x, xi + 32 + c + 8), u1.mul(FloatVector.fromArray(F, x, xi + 32 + c))).fma(s1, a1);
                    a2 = v1.fma(FloatVector.fromArray(F, x, xi + 32 + 2 * c + 8), u1.mul(FloatVector.fromArray(F, x, xi + 32 + 2 * c))).fma(s1, a2);
                    a3 = v1.fma(FloatVector.fromArray(F, x, xi + 32 + 3 * c + 8), u1.mul(FloatVector.fromArray(F, x, xi + 32 + 3 * c))).fma(s1, a3);
                    ByteVector q2 = qlA.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    FloatVector s2 = FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 4));
                    FloatVector u2 = ((FloatVector) q2.castShape(F, 0));
                    FloatVector v2 = ((FloatVector) q2.castShape(F, 1));
                    a0 = v2.fma(FloatVector.fromArray(F, x, xi + 64 + 8), u2.mul(FloatVector.fromArray(F, x, xi + 64))).fma(s2, a0);
                    a1 = v2.fma(FloatVector.fromArray(F, x, xi + 64 + c + 8), u2.mul(FloatVector.fromArray(F, x, xi + 64 + c))).fma(s2, a1);
                    a2 = v2.fma(FloatVector.fromArray(F, x, xi + 64 + 2 * c + 8), u2.mul(FloatVector.fromArray(F, x, xi + 64 + 2 * c))).fma(s2, a2);
                    a3 = v2.fma(FloatVector.fromArray(F, x, xi + 64 + 3 * c + 8), u2.mul(FloatVector.fromArray(F, x, xi + 64 + 3 * c))).fma(s2, a3);
                    ByteVector q3 = qlB.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    FloatVector s3 = FloatVector.broadcast(F, d * scale(bo, 8 * n + g + 6));
                    FloatVector u3 = ((FloatVector) q3.castShape(F, 0));
                    FloatVector v3 = ((FloatVector) q3.castShape(F, 1));
                    a0 = v3.fma(FloatVector.fromArray(F, x, xi + 96 + 8), u3.mul(FloatVector.fromArray(F, x, xi + 96))).fma(s3, a0);
                    a1 = v3.fma(FloatVector.fromArray(F, x, xi + 96 + c + 8), u3.mul(FloatVector.fromArray(F, x, xi + 96 + c))).fma(s3, a1);
                    a2 = v3.fma(FloatVector.fromArray(F, x, xi + 96 + 2 * c + 8), u3.mul(FloatVector.fromArray(F, x, xi + 96 + 2 * c))).fma(s3, a2);
                    a3 = v3.fma(FloatVector.fromArray(F, x, xi + 96 + 3 * c + 8), u3.mul(FloatVector.fromArray(F, x, xi + 96 + 3 * c))).fma(s3, a3);
                }
            }
        }
        y[yIndex] = Simd.sum8(a0);
        y[yIndex + yStride] = Simd.sum8(a1);
        y[yIndex + 2 * yStride] = Simd.sum8(a2);
        y[yIndex + 3 * yStride] = Simd.sum8(a3);
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

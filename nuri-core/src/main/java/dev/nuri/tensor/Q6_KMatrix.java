package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B64;
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
                long sc8 = data.get(Simd.LE_LONG, bo + 192 + 8 * n); // this half's 8 int8 scales
                for (int g = 0; g < 2; g++) {
                    long ql = bo + 64 * n + 16 * g;
                    ByteVector qa0 = ByteVector.fromMemorySegment(B64, data, ql, LE);
                    ByteVector qa1 = ByteVector.fromMemorySegment(B64, data, ql + 8, LE);
                    ByteVector qb0 = ByteVector.fromMemorySegment(B64, data, ql + 32, LE);
                    ByteVector qb1 = ByteVector.fromMemorySegment(B64, data, ql + 40, LE);
                    ByteVector h0 = ByteVector.fromMemorySegment(B64, data, bo + 128 + 32 * n + 16 * g, LE);
                    ByteVector h1 = ByteVector.fromMemorySegment(B64, data, bo + 136 + 32 * n + 16 * g, LE);
                    int xi = xOffset + b * 256 + 128 * n + 16 * g;
                    FloatVector u0 = (FloatVector) qa0.and((byte) 0x0F).or(h0.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v0 = (FloatVector) qa1.and((byte) 0x0F).or(h1.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    acc = v0.fma(FloatVector.fromArray(F, x, xi + 8), u0.mul(FloatVector.fromArray(F, x, xi + 0)))
                            .fma(FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 0)))), acc);
                    FloatVector u1 = (FloatVector) qb0.and((byte) 0x0F).or(h0.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v1 = (FloatVector) qb1.and((byte) 0x0F).or(h1.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    acc = v1.fma(FloatVector.fromArray(F, x, xi + 40), u1.mul(FloatVector.fromArray(F, x, xi + 32)))
                            .fma(FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 2)))), acc);
                    FloatVector u2 = (FloatVector) qa0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h0.and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v2 = (FloatVector) qa1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h1.and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    acc = v2.fma(FloatVector.fromArray(F, x, xi + 72), u2.mul(FloatVector.fromArray(F, x, xi + 64)))
                            .fma(FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 4)))), acc);
                    FloatVector u3 = (FloatVector) qb0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v3 = (FloatVector) qb1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    acc = v3.fma(FloatVector.fromArray(F, x, xi + 104), u3.mul(FloatVector.fromArray(F, x, xi + 96)))
                            .fma(FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 6)))), acc);
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
                long sc8 = data.get(Simd.LE_LONG, bo + 192 + 8 * n); // this half's 8 int8 scales
                for (int g = 0; g < 2; g++) {
                    long ql = bo + 64 * n + 16 * g;
                    ByteVector qa0 = ByteVector.fromMemorySegment(B64, data, ql, LE);
                    ByteVector qa1 = ByteVector.fromMemorySegment(B64, data, ql + 8, LE);
                    ByteVector qb0 = ByteVector.fromMemorySegment(B64, data, ql + 32, LE);
                    ByteVector qb1 = ByteVector.fromMemorySegment(B64, data, ql + 40, LE);
                    ByteVector h0 = ByteVector.fromMemorySegment(B64, data, bo + 128 + 32 * n + 16 * g, LE);
                    ByteVector h1 = ByteVector.fromMemorySegment(B64, data, bo + 136 + 32 * n + 16 * g, LE);
                    int xi = xOffset + b * 256 + 128 * n + 16 * g;
                    FloatVector u0 = (FloatVector) qa0.and((byte) 0x0F).or(h0.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v0 = (FloatVector) qa1.and((byte) 0x0F).or(h1.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector s0 = FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 0))));
                    a0 = v0.fma(FloatVector.fromArray(F, x, xi + 8), u0.mul(FloatVector.fromArray(F, x, xi + 0))).fma(s0, a0);
                    a1 = v0.fma(FloatVector.fromArray(F, x, xi + 8 + c), u0.mul(FloatVector.fromArray(F, x, xi + 0 + c))).fma(s0, a1);
                    a2 = v0.fma(FloatVector.fromArray(F, x, xi + 8 + 2 * c), u0.mul(FloatVector.fromArray(F, x, xi + 0 + 2 * c))).fma(s0, a2);
                    a3 = v0.fma(FloatVector.fromArray(F, x, xi + 8 + 3 * c), u0.mul(FloatVector.fromArray(F, x, xi + 0 + 3 * c))).fma(s0, a3);
                    FloatVector u1 = (FloatVector) qb0.and((byte) 0x0F).or(h0.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v1 = (FloatVector) qb1.and((byte) 0x0F).or(h1.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector s1 = FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 2))));
                    a0 = v1.fma(FloatVector.fromArray(F, x, xi + 40), u1.mul(FloatVector.fromArray(F, x, xi + 32))).fma(s1, a0);
                    a1 = v1.fma(FloatVector.fromArray(F, x, xi + 40 + c), u1.mul(FloatVector.fromArray(F, x, xi + 32 + c))).fma(s1, a1);
                    a2 = v1.fma(FloatVector.fromArray(F, x, xi + 40 + 2 * c), u1.mul(FloatVector.fromArray(F, x, xi + 32 + 2 * c))).fma(s1, a2);
                    a3 = v1.fma(FloatVector.fromArray(F, x, xi + 40 + 3 * c), u1.mul(FloatVector.fromArray(F, x, xi + 32 + 3 * c))).fma(s1, a3);
                    FloatVector u2 = (FloatVector) qa0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h0.and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v2 = (FloatVector) qa1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h1.and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector s2 = FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 4))));
                    a0 = v2.fma(FloatVector.fromArray(F, x, xi + 72), u2.mul(FloatVector.fromArray(F, x, xi + 64))).fma(s2, a0);
                    a1 = v2.fma(FloatVector.fromArray(F, x, xi + 72 + c), u2.mul(FloatVector.fromArray(F, x, xi + 64 + c))).fma(s2, a1);
                    a2 = v2.fma(FloatVector.fromArray(F, x, xi + 72 + 2 * c), u2.mul(FloatVector.fromArray(F, x, xi + 64 + 2 * c))).fma(s2, a2);
                    a3 = v2.fma(FloatVector.fromArray(F, x, xi + 72 + 3 * c), u2.mul(FloatVector.fromArray(F, x, xi + 64 + 3 * c))).fma(s2, a3);
                    FloatVector u3 = (FloatVector) qb0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector v3 = (FloatVector) qb1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(h1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32).castShape(F, 0);
                    FloatVector s3 = FloatVector.broadcast(F, d * (byte) (sc8 >>> (8 * (g + 6))));
                    a0 = v3.fma(FloatVector.fromArray(F, x, xi + 104), u3.mul(FloatVector.fromArray(F, x, xi + 96))).fma(s3, a0);
                    a1 = v3.fma(FloatVector.fromArray(F, x, xi + 104 + c), u3.mul(FloatVector.fromArray(F, x, xi + 96 + c))).fma(s3, a1);
                    a2 = v3.fma(FloatVector.fromArray(F, x, xi + 104 + 2 * c), u3.mul(FloatVector.fromArray(F, x, xi + 96 + 2 * c))).fma(s3, a2);
                    a3 = v3.fma(FloatVector.fromArray(F, x, xi + 104 + 3 * c), u3.mul(FloatVector.fromArray(F, x, xi + 96 + 3 * c))).fma(s3, a3);
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

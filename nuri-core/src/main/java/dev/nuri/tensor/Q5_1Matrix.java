package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B128;
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
 * ggml's Q5_1: blocks of 32 values as {@code {fp16 d; fp16 m; uint8 qh[4]; uint8 qs[16]}} (24 bytes); the
 * 5-bit values are unpacked as in Q5_0 (without the -16) and value = q·d + m.
 */
final class Q5_1Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 24;

    Q5_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q5_1;
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

    @Override
    public float dot(int row, float[] x, int xOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        IntVector s0 = Q5_0Matrix.SHIFTS[0];
        IntVector s1 = Q5_0Matrix.SHIFTS[1];
        IntVector s2 = Q5_0Matrix.SHIFTS[2];
        IntVector s3 = Q5_0Matrix.SHIFTS[3];
        FloatVector accMin = acc;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            IntVector qh = IntVector.broadcast(I, data.get(Simd.LE_INT, bo + 4));
            ByteVector q = ByteVector.fromMemorySegment(B128, data, bo + 8, LE);
            ByteVector lo = q.and((byte) 0x0F);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
            int xi = xOffset + b * 32;
            acc = ((FloatVector) ((IntVector) lo.castShape(I, 1)).or(qh.lanewise(VectorOperators.LSHR, s1).and(1).lanewise(VectorOperators.LSHL, 4)).sub(0).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 8), ((FloatVector) ((IntVector) lo.castShape(I, 0)).or(qh.lanewise(VectorOperators.LSHR, s0).and(1).lanewise(VectorOperators.LSHL, 4)).sub(0).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xi))).add(((FloatVector) ((IntVector) hi.castShape(I, 1)).or(qh.lanewise(VectorOperators.LSHR, s3).and(1).lanewise(VectorOperators.LSHL, 4)).sub(0).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xi + 24), ((FloatVector) ((IntVector) hi.castShape(I, 0)).or(qh.lanewise(VectorOperators.LSHR, s2).and(1).lanewise(VectorOperators.LSHL, 4)).sub(0).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xi + 16))))
                    .fma(FloatVector.broadcast(F, Simd.f16(data, bo)), acc);
            accMin = FloatVector.fromArray(F, x, xi).add(FloatVector.fromArray(F, x, xi + 8)).add(FloatVector.fromArray(F, x, xi + 16).add(FloatVector.fromArray(F, x, xi + 24))).fma(FloatVector.broadcast(F, Simd.f16(data, bo + 2)), accMin);
        }
        return Simd.sum8(acc) + Simd.sum8(accMin);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int blocks = cols / 32;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = Simd.f16(data, bo);
            float m = Simd.f16(data, bo + 2);
            int qh = data.get(Simd.LE_INT, bo + 4);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, bo + 8 + j) & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                out[o + j] = ((q & 0x0F) | h0) * d + m;
                out[o + j + 16] = ((q >> 4) | h1) * d + m;
            }
        }
    }
}

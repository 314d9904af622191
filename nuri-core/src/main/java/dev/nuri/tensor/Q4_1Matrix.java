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
 * ggml's Q4_1: blocks of 32 values as {@code {fp16 d; fp16 m; uint8 qs[16]}} (20 bytes); value j is
 * {@code (qs[j] & 0xF)·d + m} and value j+16 is {@code (qs[j] >> 4)·d + m}. Dot: d·Σq·x + m·Σx per block.
 */
final class Q4_1Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 20;

    Q4_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q4_1;
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
        FloatVector accMin = acc;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            ByteVector q = ByteVector.fromMemorySegment(B128, data, bo + 4, LE);
            ByteVector lo = q.and((byte) 0x0F);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
            int xi = xOffset + b * 32;
            acc = ((FloatVector) lo.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 8), ((FloatVector) lo.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi))).add(((FloatVector) hi.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xi + 24), ((FloatVector) hi.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xi + 16))))
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
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, bo + 4 + j) & 0xFF;
                out[o + j] = (q & 0x0F) * d + m;
                out[o + j + 16] = (q >> 4) * d + m;
            }
        }
    }
}

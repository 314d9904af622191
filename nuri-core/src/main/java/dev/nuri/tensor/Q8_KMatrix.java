package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.B64;
import static dev.nuri.tensor.Simd.F;
import static dev.nuri.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * ggml's Q8_K: super-blocks of 256 values as {@code {float d; int8 qs[256]; int16 bsums[16]}} (292 bytes),
 * value = d·qs[j] (bsums are sums of qs per 16 for integer dot products; not needed here).
 */
final class Q8_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 292;

    Q8_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q8_K;
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
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            FloatVector sum = FloatVector.zero(F);
            for (int k = 0; k < 8; k++) {
                long q = bo + 4 + 32 * k;
                sum = sum.add(((FloatVector) ByteVector.fromMemorySegment(B64, data, q + 8, LE).castShape(F, 0)).fma(FloatVector.fromArray(F, x, xOffset + b * 256 + 32 * k + 8), ((FloatVector) ByteVector.fromMemorySegment(B64, data, q, LE).castShape(F, 0)).mul(FloatVector.fromArray(F, x, xOffset + b * 256 + 32 * k))).add(((FloatVector) ByteVector.fromMemorySegment(B64, data, q + 24, LE).castShape(F, 0)).fma(FloatVector.fromArray(F, x, xOffset + b * 256 + 32 * k + 24), ((FloatVector) ByteVector.fromMemorySegment(B64, data, q + 16, LE).castShape(F, 0)).mul(FloatVector.fromArray(F, x, xOffset + b * 256 + 32 * k + 16)))));
            }
            acc = sum.fma(FloatVector.broadcast(F, data.get(Simd.LE_FLOAT, bo)), acc);
        }
        return Simd.sum8(acc);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int blocks = cols / 256;
        long base = (long) row * blocks * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = base + (long) b * BLOCK_BYTES;
            float d = data.get(Simd.LE_FLOAT, bo);
            for (int j = 0; j < 256; j++) {
                out[outOffset + b * 256 + j] = d * data.get(ValueLayout.JAVA_BYTE, bo + 4 + j);
            }
        }
    }
}

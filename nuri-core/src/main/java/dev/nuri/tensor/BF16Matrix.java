package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * bfloat16 weights: the upper 16 bits of a float32 (as ggml_bf16_to_fp32). Each row is summed in two chains of
 * fused multiply-adds, the even and the odd 8 columns of every 16, as {@link F16Matrix} does: one chain is bound
 * by the FMAs' latency. The 4-token kernel keeps the same two chains per token (same bits).
 */
final class BF16Matrix extends WeightMatrix {

    BF16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.BF16;
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

    private float element(long offset) {
        return Float.intBitsToFloat(data.get(Simd.LE_SHORT, offset) << 16);
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        long base = (long) row * cols * 2;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        int j = 0;
        for (int upper = cols & ~15; j < upper; j += 16) {
            long o = base + (long) j * 2;
            a0 = widen(o).fma(FloatVector.fromArray(F, x, xOffset + j), a0);
            a1 = widen(o + 16).fma(FloatVector.fromArray(F, x, xOffset + j + 8), a1);
        }
        if (j + 8 <= cols) {
            a0 = widen(base + (long) j * 2).fma(FloatVector.fromArray(F, x, xOffset + j), a0);
            j += 8;
        }
        float sum = Simd.sum8(a0.add(a1));
        for (; j < cols; j++) {
            sum += element(base + (long) j * 2) * x[xOffset + j];
        }
        return sum;
    }

    /** The 8 bfloat16 values at {@code offset} as floats: each shifted into the upper half of its lane. */
    private FloatVector widen(long offset) {
        return ((IntVector) ShortVector.fromMemorySegment(Simd.S128, data, offset, Simd.LE).castShape(Simd.I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    protected void dot4(int row, float[] x, int xOffset, float[] y, int yIndex, int yStride) {
        long base = (long) row * cols * 2;
        int o0 = xOffset;
        int o1 = o0 + cols;
        int o2 = o1 + cols;
        int o3 = o2 + cols;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        int j = 0;
        for (int upper = cols & ~15; j < upper; j += 16) {
            long o = base + (long) j * 2;
            FloatVector w0 = widen(o);
            FloatVector w1 = widen(o + 16);
            a00 = w0.fma(FloatVector.fromArray(F, x, o0 + j), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, o0 + j + 8), a01);
            a10 = w0.fma(FloatVector.fromArray(F, x, o1 + j), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, o1 + j + 8), a11);
            a20 = w0.fma(FloatVector.fromArray(F, x, o2 + j), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, o2 + j + 8), a21);
            a30 = w0.fma(FloatVector.fromArray(F, x, o3 + j), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, o3 + j + 8), a31);
        }
        if (j + 8 <= cols) {
            FloatVector w = widen(base + (long) j * 2);
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + j), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + j), a10);
            a20 = w.fma(FloatVector.fromArray(F, x, o2 + j), a20);
            a30 = w.fma(FloatVector.fromArray(F, x, o3 + j), a30);
            j += 8;
        }
        float s0 = Simd.sum8(a00.add(a01));
        float s1 = Simd.sum8(a10.add(a11));
        float s2 = Simd.sum8(a20.add(a21));
        float s3 = Simd.sum8(a30.add(a31));
        for (; j < cols; j++) {
            float w = element(base + (long) j * 2);
            s0 += w * x[o0 + j];
            s1 += w * x[o1 + j];
            s2 += w * x[o2 + j];
            s3 += w * x[o3 + j];
        }
        y[yIndex] = s0;
        y[yIndex + yStride] = s1;
        y[yIndex + 2 * yStride] = s2;
        y[yIndex + 3 * yStride] = s3;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        long base = (long) row * cols * 2;
        for (int j = 0; j < cols; j++) {
            out[outOffset + j] = element(base + (long) j * 2);
        }
    }
}

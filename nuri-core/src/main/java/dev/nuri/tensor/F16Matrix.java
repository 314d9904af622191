package dev.nuri.tensor;

import static dev.nuri.tensor.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half-precision weights (GGUF F16).
 *
 * <p>The kernels widen a half to a float exactly with three operations when it is finite: shifted left by 13 (the
 * sign-extended lane then holds the sign in bits 28-31 and exponent and mantissa in float position), masked with
 * 0x8FFFFFFF (sign kept in bit 31 only) and scaled by 2^112, which rebases the exponent and is exact for normals and
 * subnormals alike. Infinities and NaNs (exponent 31) would come out as finite numbers of 2^16 and above, so the
 * kernels also keep the largest magnitude of the row's halves, 16 at a time, and a row that holds one is computed
 * again by {@link #dotWithNonFinite}, whose widening also patches exponent 31 to 255 (11 operations per 8 halves;
 * the test is written as {@code GT} because AVX2 compares only greater-than).
 *
 * <p>Each row is summed in two chains of fused multiply-adds, the even and the odd 8 columns of every 16: a single
 * chain is bound by the latency of its FMAs (4 cycles each), which capped a core at 10.3 GB/s of weights; with the
 * short widening and two chains it digests 14–15 GB/s (4096 columns in cache, Zen 3). Four chains were no faster
 * (13.7 against 14.1 GB/s). The 4-token kernel keeps the same two chains per token, so batching does not change a
 * result bit.
 */
final class F16Matrix extends WeightMatrix {
    /** The magnitude bits (exponent and mantissa) of a half whose exponent is 31: infinity or NaN. */
    private static final short NON_FINITE = 0x7C00;

    F16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.F16;
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
        return Float.float16ToFloat(data.get(Simd.LE_SHORT, offset));
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        long base = (long) row * cols * 2;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        ShortVector magnitudes = ShortVector.zero(Simd.S256);
        int j = 0;
        for (int upper = cols & ~15; j < upper; j += 16) {
            long o = base + (long) j * 2;
            magnitudes = magnitudes.max(ShortVector.fromMemorySegment(Simd.S256, data, o, Simd.LE).and((short) 0x7FFF));
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S128, data, o, Simd.LE).castShape(Simd.I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S128, data, o + 16, Simd.LE).castShape(Simd.I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
            a0 = w0.fma(FloatVector.fromArray(F, x, xOffset + j), a0);
            a1 = w1.fma(FloatVector.fromArray(F, x, xOffset + j + 8), a1);
        }
        if (magnitudes.reduceLanes(VectorOperators.MAX) >= NON_FINITE) {
            return dotWithNonFinite(row, x, xOffset);
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

    /** {@link #dot} for a row that holds an infinity or a NaN: every half widened by {@link #widen}, same order. */
    private float dotWithNonFinite(int row, float[] x, int xOffset) {
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

    /** The 8 halves at {@code offset} widened exactly, infinities and NaNs included. */
    private FloatVector widen(long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(Simd.S128, data, offset, Simd.LE).castShape(Simd.I, 0);
        IntVector em = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        return em.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                .blend(em.or(0x7F800000), em.compare(VectorOperators.GT, (0x1F << 23) - 1))
                .or(h.and(0x80000000)).reinterpretAsFloats();
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
        ShortVector magnitudes = ShortVector.zero(Simd.S256);
        int j = 0;
        for (int upper = cols & ~15; j < upper; j += 16) {
            long o = base + (long) j * 2;
            magnitudes = magnitudes.max(ShortVector.fromMemorySegment(Simd.S256, data, o, Simd.LE).and((short) 0x7FFF));
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S128, data, o, Simd.LE).castShape(Simd.I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S128, data, o + 16, Simd.LE).castShape(Simd.I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
            a00 = w0.fma(FloatVector.fromArray(F, x, o0 + j), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, o0 + j + 8), a01);
            a10 = w0.fma(FloatVector.fromArray(F, x, o1 + j), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, o1 + j + 8), a11);
            a20 = w0.fma(FloatVector.fromArray(F, x, o2 + j), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, o2 + j + 8), a21);
            a30 = w0.fma(FloatVector.fromArray(F, x, o3 + j), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, o3 + j + 8), a31);
        }
        if (magnitudes.reduceLanes(VectorOperators.MAX) >= NON_FINITE) {
            for (int t = 0; t < TOKEN_TILE; t++) {
                y[yIndex + t * yStride] = dotWithNonFinite(row, x, xOffset + t * cols);
            }
            return;
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

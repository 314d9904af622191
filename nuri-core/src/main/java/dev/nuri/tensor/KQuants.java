package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Scale unpacking shared by the K-quant formats (ggml-quants.c). */
final class KQuants {
    static final int QK_K = 256;

    private KQuants() {
    }

    /**
     * Σ x over each 32-value sub-block of {@code n} vectors of {@code cols} values starting at x[off] (8-lane partial
     * sums, then a fixed pairwise lane sum), written to {@code out[outOff ..]}: the activation side of the
     * "− dmin·m·Σx" term, shared by all rows.
     */
    static void subBlockSums(float[] x, int off, int n, int cols, float[] out, int outOff) {
        int per = cols / 32;
        for (int t = 0; t < n; t++) {
            for (int s = 0; s < per; s++) {
                out[outOff + t * per + s] = subBlockSum(x, off + t * cols + 32 * s);
            }
        }
    }

    /**
     * What the sliced kernels of the K-quants with mins (Q4_K, Q5_K) prepare: the {@code n} vectors from
     * {@code x[off ..]} in {@link Simd#sliceOrder}, then their Σx per 32-value sub-block.
     */
    static float[] slicedWithSubBlockSums(float[] x, int off, int n, int cols) {
        int len = n * cols;
        float[] prepared = Simd.sliceOrder(x, off, len, len / 32);
        subBlockSums(x, off, n, cols, prepared, len);
        return prepared;
    }

    static float subBlockSum(float[] x, int xi) {
        jdk.incubator.vector.FloatVector v = jdk.incubator.vector.FloatVector.fromArray(Simd.F, x, xi)
                .add(jdk.incubator.vector.FloatVector.fromArray(Simd.F, x, xi + 8))
                .add(jdk.incubator.vector.FloatVector.fromArray(Simd.F, x, xi + 16)
                        .add(jdk.incubator.vector.FloatVector.fromArray(Simd.F, x, xi + 24)));
        return Simd.sum8(v);
    }

    static int u8(MemorySegment seg, long offset) {
        return seg.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /**
     * ggml's {@code get_scale_min_k4}: the j-th (0..7) 6-bit scale and 6-bit min packed in Q4_K/Q5_K's 12 scale
     * bytes at {@code q}. Returns {@code scale | min << 8}.
     */
    static int scaleMinK4(MemorySegment seg, long q, int j) {
        int sc;
        int m;
        if (j < 4) {
            sc = u8(seg, q + j) & 63;
            m = u8(seg, q + j + 4) & 63;
        } else {
            sc = (u8(seg, q + j + 4) & 0xF) | ((u8(seg, q + j - 4) >> 6) << 4);
            m = (u8(seg, q + j + 4) >> 4) | ((u8(seg, q + j) >> 6) << 4);
        }
        return sc | m << 8;
    }

    /**
     * Q3_K's sixteen 6-bit scales (packed in 12 bytes at {@code q}) unpacked as ggml's dequantize_row_q3_K
     * does with its kmask shuffle, still biased by 32.
     */
    static void q3kScales(MemorySegment seg, long q, int[] out) {
        final int kmask1 = 0x03030303;
        final int kmask2 = 0x0f0f0f0f;
        int a0 = seg.get(Simd.LE_INT, q);
        int a1 = seg.get(Simd.LE_INT, q + 4);
        int tmp = seg.get(Simd.LE_INT, q + 8);
        int[] aux = {
            (a0 & kmask2) | (((tmp >>> 0) & kmask1) << 4),
            (a1 & kmask2) | (((tmp >>> 2) & kmask1) << 4),
            ((a0 >>> 4) & kmask2) | (((tmp >>> 4) & kmask1) << 4),
            ((a1 >>> 4) & kmask2) | (((tmp >>> 6) & kmask1) << 4),
        };
        for (int i = 0; i < 16; i++) {
            out[i] = (byte) (aux[i >> 2] >>> (8 * (i & 3)));
        }
    }
}

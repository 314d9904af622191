package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * General F32 matrix product {@code C[m,n] (+)= sum_k A(m,k) * B[k,n]} over flat arrays, the one kernel behind every
 * mat-mul of training (forward, input gradient and weight gradient).
 *
 * <p>{@code A} is addressed by strides, {@code A(m,k) = a[aOff + m*sm + k*sk]}, so a transposed {@code A} costs
 * nothing; {@code B} is row-major {@code [K,N]} and {@code C} row-major {@code [M,N]}. The kernel is an outer-product
 * register tile (4 rows x 3 vectors) vectorized along {@code n}, blocked so a panel of {@code B} stays in L1. Every
 * element of {@code C} is summed over {@code k = 0..K-1} in order by exactly one thread, so results do not depend on
 * the thread count.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int ROW_BLOCK = 64;
    private static final int K_BLOCK = 256;

    private Gemm() {
    }

    public static void gemm(float[] a, int aOff, int sm, int sk, float[] b, int bOff, float[] c, int cOff,
                            int m, int k, int n, boolean accumulate, Parallel par) {
        gemm(a, aOff, sm, sk, b, bOff, n, c, cOff, n, m, k, n, accumulate, par);
    }

    /** As above with explicit row strides: {@code B[k,n] = b[bOff + k*ldb + n]}, {@code C[m,n] = c[cOff + m*ldc + n]}. */
    public static void gemm(float[] a, int aOff, int sm, int sk, float[] b, int bOff, int ldb, float[] c, int cOff,
                            int ldc, int m, int k, int n, boolean accumulate, Parallel par) {
        if (m == 0 || n == 0) {
            return;
        }
        par.forRange(m, 4, (start, end) -> {
            // k is split into panels so a [K_BLOCK, 2 vectors] slice of B stays in L1; every element still sums
            // k = 0..K-1 in order (the float accumulator is stored and reloaded between panels, unchanged)
            for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
                int kn = Math.min(K_BLOCK, k - k0);
                block(a, aOff + k0 * sk, sm, sk, b, bOff + k0 * ldb, ldb, c, cOff, ldc, start, end, kn, n, accumulate || k0 > 0);
            }
            if (k == 0 && !accumulate) {
                for (int i = start; i < end; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
        });
    }

    private static void block(float[] a, int aOff, int sm, int sk, float[] b, int bOff, int ldb, float[] c, int cOff,
                              int ldc, int mStart, int mEnd, int k, int n, boolean acc) {
        for (int mb = mStart; mb < mEnd; mb += ROW_BLOCK) {
            int mbEnd = Math.min(mEnd, mb + ROW_BLOCK);
            int n0 = 0;
            for (; n0 + 3 * L <= n; n0 += 3 * L) {
                int m0 = mb;
                for (; m0 + 4 <= mbEnd; m0 += 4) {
                    tile4x3(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0, acc);
                }
                for (; m0 < mbEnd; m0++) {
                    tile1xV(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0, acc);
                    tile1xV(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0 + L, acc);
                    tile1xV(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0 + 2 * L, acc);
                }
            }
            for (; n0 + 2 * L <= n; n0 += 2 * L) {
                int m0 = mb;
                for (; m0 + 4 <= mbEnd; m0 += 4) {
                    tile4x2(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0, acc);
                }
                for (; m0 < mbEnd; m0++) {
                    tile1xV(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0, acc);
                    tile1xV(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0 + L, acc);
                }
            }
            for (; n0 + L <= n; n0 += L) {
                for (int m0 = mb; m0 < mbEnd; m0++) {
                    tile1xV(a, aOff, sm, sk, b, bOff, c, cOff, m0, k, ldb, ldc, n0, acc);
                }
            }
            for (; n0 < n; n0++) {
                for (int m0 = mb; m0 < mbEnd; m0++) {
                    float s = acc ? c[cOff + m0 * ldc + n0] : 0f;
                    int ai = aOff + m0 * sm;
                    int bi = bOff + n0;
                    for (int kk = 0; kk < k; kk++, ai += sk, bi += ldb) {
                        s = Math.fma(a[ai], b[bi], s);
                    }
                    c[cOff + m0 * ldc + n0] = s;
                }
            }
        }
    }

    private static void tile4x2(float[] a, int aOff, int sm, int sk, float[] b, int bOff, float[] c, int cOff,
                                int m0, int k, int ldb, int ldc, int n0, boolean acc) {
        int c0 = cOff + m0 * ldc + n0, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = acc ? FloatVector.fromArray(S, c, c0) : z, s01 = acc ? FloatVector.fromArray(S, c, c0 + L) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(S, c, c1) : z, s11 = acc ? FloatVector.fromArray(S, c, c1 + L) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(S, c, c2) : z, s21 = acc ? FloatVector.fromArray(S, c, c2 + L) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(S, c, c3) : z, s31 = acc ? FloatVector.fromArray(S, c, c3 + L) : z;
        int a0 = aOff + m0 * sm, a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm;
        int bi = bOff + n0;
        for (int kk = 0; kk < k; kk++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            int o = kk * sk;
            FloatVector x = FloatVector.broadcast(S, a[a0 + o]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(S, a[a1 + o]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(S, a[a2 + o]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(S, a[a3 + o]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
    }

    private static void tile4x3(float[] a, int aOff, int sm, int sk, float[] b, int bOff, float[] c, int cOff,
                                int m0, int k, int ldb, int ldc, int n0, boolean acc) {
        int c0 = cOff + m0 * ldc + n0, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = acc ? FloatVector.fromArray(S, c, c0) : z, s01 = acc ? FloatVector.fromArray(S, c, c0 + L) : z, s02 = acc ? FloatVector.fromArray(S, c, c0 + 2 * L) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(S, c, c1) : z, s11 = acc ? FloatVector.fromArray(S, c, c1 + L) : z, s12 = acc ? FloatVector.fromArray(S, c, c1 + 2 * L) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(S, c, c2) : z, s21 = acc ? FloatVector.fromArray(S, c, c2 + L) : z, s22 = acc ? FloatVector.fromArray(S, c, c2 + 2 * L) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(S, c, c3) : z, s31 = acc ? FloatVector.fromArray(S, c, c3 + L) : z, s32 = acc ? FloatVector.fromArray(S, c, c3 + 2 * L) : z;
        int a0 = aOff + m0 * sm, a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm;
        int bi = bOff + n0;
        for (int kk = 0; kk < k; kk++, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            int o = kk * sk;
            FloatVector x = FloatVector.broadcast(S, a[a0 + o]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            s02 = x.fma(b2, s02);
            x = FloatVector.broadcast(S, a[a1 + o]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            s12 = x.fma(b2, s12);
            x = FloatVector.broadcast(S, a[a2 + o]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            s22 = x.fma(b2, s22);
            x = FloatVector.broadcast(S, a[a3 + o]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            s32 = x.fma(b2, s32);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s02.intoArray(c, c0 + 2 * L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s12.intoArray(c, c1 + 2 * L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s22.intoArray(c, c2 + 2 * L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
        s32.intoArray(c, c3 + 2 * L);
    }

    private static void tile1xV(float[] a, int aOff, int sm, int sk, float[] b, int bOff, float[] c, int cOff,
                                int m0, int k, int ldb, int ldc, int n0, boolean acc) {
        int ci = cOff + m0 * ldc + n0;
        FloatVector s = acc ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
        int ai = aOff + m0 * sm;
        int bi = bOff + n0;
        for (int kk = 0; kk < k; kk++, ai += sk, bi += ldb) {
            s = FloatVector.broadcast(S, a[ai]).fma(FloatVector.fromArray(S, b, bi), s);
        }
        s.intoArray(c, ci);
    }

    /** {@code dst[j*rows + i] = src[srcOff + i*cols + j]}: a [rows, cols] block transposed to [cols, rows]. */
    public static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst, Parallel par) {
        par.forRange(cols, 16, (start, end) -> {
            for (int i0 = 0; i0 < rows; i0 += 16) {
                int iEnd = Math.min(rows, i0 + 16);
                for (int j = start; j < end; j++) {
                    int d = j * rows;
                    for (int i = i0; i < iEnd; i++) {
                        dst[d + i] = src[srcOff + i * cols + j];
                    }
                }
            }
        });
    }
}

package dev.nuri.train.ops;

import dev.nuri.tensor.Parallel;

/**
 * A bias-free linear layer {@code out[N,O] = in[N,I] · W[O,I]ᵀ} (PyTorch's {@code nn.Linear} weight layout), with
 * its backward pass. Weights and their gradients live at offsets inside flat parameter arrays.
 */
public final class Linear {
    private Linear() {
    }

    /**
     * Forward. {@code wt} is scratch of at least {@code I*O} floats that receives Wᵀ (row-major [I,O]), so the
     * product streams rows of both operands.
     */
    public static void forward(float[] out, float[] in, float[] w, int wOff, float[] wt, int n, int inDim, int outDim,
                               Parallel par) {
        Gemm.transpose(w, wOff, outDim, inDim, wt, par);
        Gemm.gemm(in, 0, inDim, 1, wt, 0, out, 0, n, inDim, outDim, false, par);
    }

    /**
     * Backward: {@code dIn = dOut · W} (overwritten, or added to when {@code accumulateIn}) and
     * {@code dW += dOutᵀ · in}. {@code dIn} may be null when the input needs no gradient. The weight gradient is
     * computed in blocks of {@value #DW_BLOCK} output rows, each transposed from {@code dOut} first so the product
     * streams contiguous rows.
     */
    public static void backward(float[] dIn, boolean accumulateIn, float[] dW, int dwOff, float[] dOut, float[] in,
                                float[] w, int wOff, int n, int inDim, int outDim, Parallel par) {
        if (dIn != null) {
            Gemm.gemm(dOut, 0, outDim, 1, w, wOff, dIn, 0, n, outDim, inDim, accumulateIn, par);
        }
        par.forRange(outDim, DW_BLOCK, (start, end) -> {
            float[] block = new float[DW_BLOCK * n];
            for (int o0 = start; o0 < end; o0 += DW_BLOCK) {
                int rows = Math.min(DW_BLOCK, end - o0);
                for (int t = 0; t < n; t++) {
                    int src = t * outDim + o0;
                    for (int r = 0; r < rows; r++) {
                        block[r * n + t] = dOut[src + r];
                    }
                }
                Gemm.gemm(block, 0, n, 1, in, 0, dW, dwOff + o0 * inDim, rows, n, inDim, true, Parallel.serial());
            }
        });
    }

    private static final int DW_BLOCK = 32;
}

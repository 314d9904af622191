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
     * {@code dW += dOutᵀ · in}. {@code dIn} may be null when the input needs no gradient.
     */
    public static void backward(float[] dIn, boolean accumulateIn, float[] dW, int dwOff, float[] dOut, float[] in,
                                float[] w, int wOff, int n, int inDim, int outDim, Parallel par) {
        if (dIn != null) {
            Gemm.gemm(dOut, 0, outDim, 1, w, wOff, dIn, 0, n, outDim, inDim, accumulateIn, par);
        }
        Gemm.gemm(dOut, 0, 1, outDim, in, 0, dW, dwOff, outDim, n, inDim, true, par);
    }
}

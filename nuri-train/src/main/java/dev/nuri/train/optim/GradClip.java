package dev.nuri.train.optim;

/** Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /** The L2 norm of all gradients together. */
    public static double globalNorm(float[] grads) {
        double ss = 0;
        for (float g : grads) {
            ss += (double) g * g;
        }
        return Math.sqrt(ss);
    }

    /**
     * Scales the gradients by {@code maxNorm / (norm + 1e-6)} when that is below 1 (PyTorch's formula) and returns
     * the norm before clipping. {@code maxNorm <= 0} only measures.
     */
    public static double clip(float[] grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (maxNorm > 0) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                float c = (float) coef;
                for (int i = 0; i < grads.length; i++) {
                    grads[i] *= c;
                }
            }
        }
        return norm;
    }
}

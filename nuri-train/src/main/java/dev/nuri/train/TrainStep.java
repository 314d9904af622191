package dev.nuri.train;

import dev.nuri.NuriException;
import dev.nuri.train.model.TrainableLlama;
import dev.nuri.train.ops.CrossEntropy;
import dev.nuri.train.optim.GradClip;
import dev.nuri.train.optim.Optimizer;

/**
 * One optimizer step on a causal language model, as a Hugging Face training loop does it: mean token
 * cross-entropy over {@code labels != -100} after the one-token shift, backward, global-norm clipping, update.
 */
public final class TrainStep {
    private TrainStep() {
    }

    /** The loss and gradient norm (before clipping) of a step. */
    public record Result(double loss, double gradNorm, int tokens) {
    }

    /**
     * Accumulates gradients of the mean loss over one batch of {@code [batch, seq]} rows into the model's gradient
     * array, scaled by {@code 1/microBatches} (so several calls sum to the mean over micro-batches). Returns the
     * mean loss of this batch.
     */
    public static double accumulate(TrainableLlama model, int[] inputIds, int[] labels, int batch, int seq,
                                    int microBatches) {
        int[] targets = TrainableLlama.shiftLabels(labels, batch, seq);
        int counted = CrossEntropy.counted(targets);
        if (counted == 0) {
            throw new NuriException("the batch has no labels other than -100 after the shift: nothing to learn from");
        }
        double sum = model.forwardBackward(inputIds, targets, batch, seq, 1f / (counted * (float) microBatches));
        return sum / counted;
    }

    /** A full step on one batch: zero gradients, accumulate, clip to {@code maxNorm} (≤ 0: no clip), update. */
    public static Result run(TrainableLlama model, Optimizer optimizer, int[] inputIds, int[] labels, int batch,
                             int seq, double lr, double maxNorm) {
        model.parameters().zeroGrads();
        double loss = accumulate(model, inputIds, labels, batch, seq, 1);
        return finish(model, optimizer, loss, lr, maxNorm, CrossEntropy.counted(TrainableLlama.shiftLabels(labels, batch, seq)));
    }

    /** Clips the accumulated gradients and applies the optimizer. */
    public static Result finish(TrainableLlama model, Optimizer optimizer, double loss, double lr, double maxNorm,
                                int tokens) {
        float[] g = model.parameters().grads();
        double norm = GradClip.clip(g, maxNorm);
        if (!Double.isFinite(norm)) {
            throw new NuriException("gradient norm is " + norm + " (loss " + loss + "): training diverged; lower the learning rate");
        }
        optimizer.step(model.parameters().values(), g, lr);
        return new Result(loss, norm, tokens);
    }
}

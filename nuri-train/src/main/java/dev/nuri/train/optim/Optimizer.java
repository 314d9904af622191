package dev.nuri.train.optim;

import java.util.Map;

/** Updates parameters in place from their gradients; its state can be saved and restored for exact resumes. */
public interface Optimizer {
    /** One update of {@code params} from {@code grads} at learning rate {@code lr}. */
    void step(float[] params, float[] grads, double lr);

    /** Completed steps. */
    long steps();

    /** The state arrays by name (for example {@code exp_avg}), for checkpoints; the arrays are live. */
    Map<String, float[]> state();

    /** Restores the step count after {@link #state()}'s arrays were filled from a checkpoint. */
    void restoreSteps(long steps);
}

package dev.nuri.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay, computed in the same order as PyTorch's
 * single-tensor {@code torch.optim.AdamW} so one step matches it to float rounding.
 */
public final class AdamW implements Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean[] decayMask;
    private final float[] m;
    private final float[] v;
    private long t;

    /** {@code decayMask} (null: decay everything) selects the elements weight decay applies to. */
    public AdamW(int size, double beta1, double beta2, double eps, double weightDecay, boolean[] decayMask) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW eps and weight decay must be non-negative, got " + eps + ", " + weightDecay);
        }
        if (decayMask != null && decayMask.length != size) {
            throw new IllegalArgumentException("decay mask has " + decayMask.length + " entries for " + size + " parameters");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decayMask = decayMask;
        this.m = new float[size];
        this.v = new float[size];
    }

    @Override
    public void step(float[] params, float[] grads, double lr) {
        t++;
        float decayFactor = (float) (1 - lr * weightDecay);
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2, oneMinusB2 = (float) (1 - beta2);
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = (float) (lr / bc1);
        float bc2s = (float) bc2Sqrt;
        float e = (float) eps;
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            float p = params[i];
            if (decayMask == null || decayMask[i]) {
                p *= decayFactor;
            }
            float mi = m[i] + oneMinusB1 * (g - m[i]);
            float vi = v[i] * b2 + oneMinusB2 * g * g;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / bc2s + e;
            params[i] = p - stepSize * (mi / denom);
        }
    }

    @Override
    public long steps() {
        return t;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("exp_avg", m);
        s.put("exp_avg_sq", v);
        return s;
    }

    @Override
    public void restoreSteps(long steps) {
        this.t = steps;
    }
}

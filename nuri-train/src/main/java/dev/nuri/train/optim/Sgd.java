package dev.nuri.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Stochastic gradient descent with optional momentum and L2 weight decay, as {@code torch.optim.SGD}. */
public final class Sgd implements Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final boolean[] decayMask;
    private final float[] buf;
    private long t;

    public Sgd(int size, double momentum, double weightDecay, boolean[] decayMask) {
        if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1) and weight decay non-negative, got "
                    + momentum + ", " + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.decayMask = decayMask;
        this.buf = new float[momentum > 0 ? size : 0];
    }

    @Override
    public void step(float[] params, float[] grads, double lr) {
        float wd = (float) weightDecay, mu = (float) momentum, rate = (float) lr;
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            if (wd != 0f && (decayMask == null || decayMask[i])) {
                g += wd * params[i];
            }
            if (mu != 0f) {
                g = t == 0 ? g : mu * buf[i] + g;
                buf[i] = g;
            }
            params[i] -= rate * g;
        }
        t++;
    }

    @Override
    public long steps() {
        return t;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new LinkedHashMap<>();
        if (buf.length > 0) {
            s.put("momentum_buffer", buf);
        }
        return s;
    }

    @Override
    public void restoreSteps(long steps) {
        this.t = steps;
    }
}

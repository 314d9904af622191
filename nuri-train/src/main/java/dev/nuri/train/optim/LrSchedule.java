package dev.nuri.train.optim;

import java.util.Locale;

/**
 * Learning rate by step: linear warmup from 0 to {@code peak} over {@code warmupSteps}, then constant, cosine or
 * linear decay to {@code minLr} at {@code totalSteps}. Step numbers start at 0.
 */
public record LrSchedule(Kind kind, double peak, int warmupSteps, int totalSteps, double minLr) {
    public enum Kind { CONSTANT, COSINE, LINEAR }

    public LrSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("learning rate schedule kind is missing");
        }
        if (!(peak > 0) || !(minLr >= 0) || minLr > peak) {
            throw new IllegalArgumentException("learning rate must be positive with 0 <= min_lr <= lr, got lr " + peak
                    + ", min_lr " + minLr);
        }
        if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmup_steps <= steps and steps > 0, got warmup " + warmupSteps
                    + ", steps " + totalSteps);
        }
    }

    public static Kind parseKind(String s) {
        try {
            return Kind.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("learning rate schedule must be constant, cosine or linear, got '" + s + "'");
        }
    }

    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (kind == Kind.CONSTANT || totalSteps == warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        double factor = kind == Kind.COSINE ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return minLr + (peak - minLr) * factor;
    }
}

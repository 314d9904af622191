package dev.nuri.train.model;

import dev.nuri.NuriException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every trainable tensor of a model, named as Hugging Face names them, packed into one flat F32 array with a
 * matching gradient array: optimizers, clipping and checkpoints then work on two arrays.
 */
public final class Parameters {

    /** One named tensor: {@code size} floats at {@code offset} in {@link #values()} and {@link #grads()}. */
    public record Param(String name, int[] shape, int offset, int size) {
        /** A norm weight or a bias: one dimension (excluded from weight decay by default). */
        public boolean isVector() {
            return shape.length == 1;
        }
    }

    private final List<Param> params;
    private final Map<String, Param> byName;
    private final float[] values;
    private final float[] grads;

    private Parameters(List<Param> params, int total) {
        this.params = Collections.unmodifiableList(params);
        this.byName = new LinkedHashMap<>();
        for (Param p : params) {
            byName.put(p.name(), p);
        }
        this.values = new float[total];
        this.grads = new float[total];
    }

    /** Collects names and shapes in order, then allocates. */
    public static final class Builder {
        private final List<Param> params = new ArrayList<>();
        private long total;

        public Builder add(String name, int... shape) {
            long size = 1;
            for (int d : shape) {
                size *= d;
            }
            if (total + size > Integer.MAX_VALUE - 8) {
                throw new NuriException("model too large for the training engine's flat F32 arrays: " + (total + size)
                        + " parameters (the limit is " + (Integer.MAX_VALUE - 8) + ")");
            }
            params.add(new Param(name, shape.clone(), (int) total, (int) size));
            total += size;
            return this;
        }

        public Parameters build() {
            return new Parameters(new ArrayList<>(params), (int) total);
        }
    }

    public List<Param> list() {
        return params;
    }

    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) {
            throw new NuriException("no parameter named " + name);
        }
        return p;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public int offset(String name) {
        return get(name).offset();
    }

    public float[] values() {
        return values;
    }

    public float[] grads() {
        return grads;
    }

    public int count() {
        return values.length;
    }

    public void zeroGrads() {
        java.util.Arrays.fill(grads, 0f);
    }

    /** A copy of one tensor's values. */
    public float[] copyOf(String name) {
        Param p = get(name);
        float[] out = new float[p.size()];
        System.arraycopy(values, p.offset(), out, 0, p.size());
        return out;
    }

    /** A copy of one tensor's gradient. */
    public float[] gradOf(String name) {
        Param p = get(name);
        float[] out = new float[p.size()];
        System.arraycopy(grads, p.offset(), out, 0, p.size());
        return out;
    }

    /** Sets one tensor's values, checking the element count. */
    public void set(String name, float[] data) {
        Param p = get(name);
        if (data.length != p.size()) {
            throw new NuriException("tensor " + name + " has " + data.length + " elements, expected " + p.size()
                    + " for shape " + java.util.Arrays.toString(p.shape()));
        }
        System.arraycopy(data, 0, values, p.offset(), p.size());
    }
}

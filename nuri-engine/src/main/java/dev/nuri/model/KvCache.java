package dev.nuri.model;

/**
 * Keys and values of one sequence for every layer, preallocated in float32 for {@code capacity} positions.
 * Layout per layer: {@code [position][kvHead][headDim]}, so appending a token writes one contiguous row.
 */
public final class KvCache {
    private final int layers;
    private final int kvDim;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;

    public KvCache(int layers, int kvDim, int capacity) {
        long perLayer = (long) kvDim * capacity;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " positions × " + kvDim
                    + " values per layer is too large; lower the context length");
        }
        this.layers = layers;
        this.kvDim = kvDim;
        this.capacity = capacity;
        this.keys = new float[layers][(int) perLayer];
        this.values = new float[layers][(int) perLayer];
    }

    private KvCache(KvCache other, int upTo) {
        this(other.layers, other.kvDim, other.capacity);
        for (int l = 0; l < layers; l++) {
            System.arraycopy(other.keys[l], 0, keys[l], 0, upTo * kvDim);
            System.arraycopy(other.values[l], 0, values[l], 0, upTo * kvDim);
        }
    }

    public int capacity() {
        return capacity;
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    /** A copy holding the first {@code positions} positions. */
    KvCache copy(int positions) {
        return new KvCache(this, positions);
    }

    public long bytes() {
        return 2L * layers * kvDim * capacity * Float.BYTES;
    }
}

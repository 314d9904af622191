package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named n-dimensional view over bytes (heap or mapped file) with a dtype. No copy is made to create one.
 * {@code shape} is outermost dimension first, as PyTorch and safetensors write it: a linear layer's weight is
 * {@code [out_features, in_features]}. (GGUF lists dimensions innermost first; its reader reverses them.)
 */
public final class Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;

    public Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        long expected = dtype.bytesFor(elementCount(this.shape));
        if (expected != data.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + Arrays.toString(shape)
                    + " needs " + expected + " bytes but the view holds " + data.byteSize());
        }
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the innermost. */
    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public MemorySegment data() {
        return data;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}

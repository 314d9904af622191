package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix {@code [rows][cols]}, row-major, in one storage format, viewed over bytes without a copy.
 * Each storage format is its own subclass that owns its dot product, so a mat-vec dispatches once per row
 * and the inner loop runs directly on the (quantized) blocks. Activations are plain {@code float[]}.
 *
 * <p>Conventions: {@code y = W·x}; {@code x} has {@code cols} values, {@code y} has {@code rows}.
 * Batched forms hold {@code n} vectors back to back ({@code x[t*cols + j]}, {@code y[t*rows + i]}).
 * Results are independent of the thread count and of {@code n}: each output is one row's dot product computed
 * in a fixed order.
 */
public abstract class WeightMatrix {
    protected final String name;
    protected final int rows;
    protected final int cols;
    protected final MemorySegment data;

    protected WeightMatrix(String name, int rows, int cols, MemorySegment data) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** A matrix view over a 2-D tensor (or a 1-D tensor as a single row). */
    public static WeightMatrix of(Tensor t) {
        if (t.rank() < 1 || t.rank() > 2) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has rank " + t.rank() + "; a weight matrix needs rank 1 or 2");
        }
        long rows = t.rank() == 2 ? t.dim(0) : 1;
        long cols = t.dim(-1);
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is too large for a weight matrix: " + t);
        }
        return of(t.name(), t.dtype(), (int) rows, (int) cols, t.data());
    }

    public static WeightMatrix of(String name, DType type, int rows, int cols, MemorySegment data) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + cols + " values are not a whole number of "
                    + type + " blocks (" + type.blockSize() + " values each)");
        }
        return switch (type) {
            case F32 -> new F32Matrix(name, rows, cols, data);
            default -> throw new UnsupportedOperationException("tensor '" + name + "': Nuri cannot compute with " + type + " weights yet");
        };
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public MemorySegment data() {
        return data;
    }

    public abstract DType dtype();

    /** The dot product of row {@code row} with {@code x[xOffset .. xOffset+cols)}. */
    public abstract float dot(int row, float[] x, int xOffset);

    /** Writes row {@code row} as floats into {@code out[outOffset .. outOffset+cols)}. */
    public abstract void dequantizeRow(int row, float[] out, int outOffset);

    /** {@code y = W·x} over all rows, split across {@code parallel}'s threads. */
    public void matvec(float[] x, float[] y, Parallel parallel) {
        parallel.forRange(rows, 16, (start, end) -> {
            for (int r = start; r < end; r++) {
                y[r] = dot(r, x, 0);
            }
        });
    }

    /**
     * {@code n} mat-vecs at once: {@code y[t] = W·x[t]} for t in [0, n). Subclasses block over rows so each
     * weight row is read once per batch; the result is bit-identical to {@code n} calls of {@link #matvec}.
     */
    public void matmul(float[] x, int n, float[] y, Parallel parallel) {
        parallel.forRange(rows, 16, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int t = 0; t < n; t++) {
                    y[t * rows + r] = dot(r, x, t * cols);
                }
            }
        });
    }

    /** The whole matrix as floats (for tests and small tensors; never on the inference path). */
    public float[] toFloatArray() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " " + dtype() + "[" + rows + "x" + cols + "]";
    }
}

package dev.nuri.model;

import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import dev.nuri.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Looks up a model's tensors by name and checks each one's shape against the config, so a missing tensor or a
 * mismatch fails naming the tensor and the file. Matrices stay views over the file; only small vectors (norm
 * weights, biases) become float arrays.
 */
final class WeightBinder {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Function<String, Tensor> lookup;
    private final String file;

    /** @param lookup returns the tensor with that name, or null when the file has none */
    WeightBinder(Function<String, Tensor> lookup, String file) {
        this.lookup = lookup;
        this.file = file;
    }

    boolean has(String name) {
        return lookup.apply(name) != null;
    }

    Tensor tensor(String name) {
        Tensor t = lookup.apply(name);
        if (t == null) {
            throw new ModelFormatException("tensor '" + name + "' is missing from " + file);
        }
        return t;
    }

    /** A [rows, cols] matrix view. */
    WeightMatrix matrix(String name, int rows, int cols) {
        Tensor t = tensor(name);
        checkShape(t, rows, cols);
        return view(t);
    }

    /** The matrix if the file has it, else null. */
    WeightMatrix optionalMatrix(String name, int rows, int cols) {
        return has(name) ? matrix(name, rows, cols) : null;
    }

    /** Rows [first, first+count) of a [totalRows, cols] matrix, as a view (fused projections such as Phi-3's qkv_proj). */
    WeightMatrix rowSlice(String name, int totalRows, int cols, int first, int count) {
        Tensor t = tensor(name);
        checkShape(t, totalRows, cols);
        long rowBytes = t.dtype().bytesFor(cols);
        MemorySegment rows = t.data().asSlice(first * rowBytes, count * rowBytes);
        return wrap(() -> WeightMatrix.of(name + "[" + first + ":" + (first + count) + "]", t.dtype(), count, cols, rows), t);
    }

    /**
     * A [rows, cols] matrix stored transposed as [cols, rows] (GPT-2's Conv1D keeps [in, out]). This is the one
     * place weights are copied: GPT-2's matrices are small, and a transposed copy lets every kernel read rows.
     */
    WeightMatrix transposed(String name, int rows, int cols) {
        Tensor t = tensor(name);
        checkShape(t, cols, rows);
        float[] stored = wrap(() -> WeightMatrix.of(t), t).toFloatArray();
        // native memory: the Vector API reads it far faster than a heap byte[] segment
        MemorySegment out = Arena.ofAuto().allocate(Math.multiplyExact((long) rows * cols, Float.BYTES), 64);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out.set(LE_FLOAT, ((long) r * cols + c) * Float.BYTES, stored[c * rows + r]);
            }
        }
        return WeightMatrix.of(name + "ᵀ", DType.F32, rows, cols, out);
    }

    /** Rows [first, first+count) of a matrix, as a view. */
    static WeightMatrix rows(WeightMatrix m, int first, int count) {
        long rowBytes = m.dtype().bytesFor(m.cols());
        return WeightMatrix.of(m.name() + "[" + first + ":" + (first + count) + "]", m.dtype(), count, m.cols(),
                m.data().asSlice(first * rowBytes, count * rowBytes));
    }

    /** A vector of {@code n} values as floats. */
    float[] vector(String name, int n) {
        Tensor t = tensor(name);
        if (t.elementCount() != n || t.rank() > 2 || (t.rank() == 2 && t.dim(0) != 1)) {
            throw new ModelFormatException("tensor '" + name + "' in " + file + " has shape " + Arrays.toString(t.shape())
                    + " but the config needs [" + n + "]");
        }
        return wrap(() -> WeightMatrix.of(t.name(), t.dtype(), 1, n, t.data()), t).toFloatArray();
    }

    float[] optionalVector(String name, int n) {
        return has(name) ? vector(name, n) : null;
    }

    private void checkShape(Tensor t, int rows, int cols) {
        if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) {
            throw new ModelFormatException("tensor '" + t.name() + "' in " + file + " has shape " + Arrays.toString(t.shape())
                    + " but the config needs [" + rows + ", " + cols + "]");
        }
    }

    private WeightMatrix view(Tensor t) {
        return wrap(() -> WeightMatrix.of(t), t);
    }

    private WeightMatrix wrap(java.util.function.Supplier<WeightMatrix> make, Tensor t) {
        try {
            return make.get();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }
}

package dev.nuri.model.bert;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import dev.nuri.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Named weights of one model (a safetensors/GGUF/ONNX source seen through its naming convention), with the shape
 * checks every loader needs. Matrices stay views over the file; only vectors (biases, norms) are copied to floats.
 */
public final class WeightLookup {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final Function<String, Tensor> tensors;
    private final Predicate<String> has;

    /**
     * @param source  names the model in error messages
     * @param tensors returns the tensor of a name (may throw naming it when absent)
     * @param has     whether a tensor of that name exists
     */
    public WeightLookup(String source, Function<String, Tensor> tensors, Predicate<String> has) {
        this.source = source;
        this.tensors = tensors;
        this.has = has;
    }

    /** The weights of a model file under their own names. */
    public static WeightLookup of(TensorSource source) {
        return new WeightLookup(source.path().toString(), source::tensor, source::has);
    }

    public String source() {
        return source;
    }

    public boolean has(String name) {
        return has.test(name);
    }

    public Tensor tensor(String name) {
        if (!has.test(name)) {
            throw new ModelFormatException(source + ": missing tensor '" + name + "'");
        }
        return tensors.apply(name);
    }

    /** A [rows, cols] matrix (PyTorch's [out, in] for a linear layer), checked against the expected shape. */
    public WeightMatrix matrix(String name, int rows, int cols) {
        Tensor t = tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new ModelFormatException(source + ": tensor '" + name + "' has shape " + Arrays.toString(s)
                    + ", expected [" + rows + ", " + cols + "]");
        }
        try {
            return WeightMatrix.of(t);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage(), e);
        }
    }

    /** A vector of {@code n} values (bias, norm weight) as floats. */
    public float[] vector(String name, int n) {
        Tensor t = tensor(name);
        if (t.elementCount() != n || t.rank() < 1) {
            throw new ModelFormatException(source + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected [" + n + "]");
        }
        return floats(t);
    }

    /** An optional vector: null when the tensor is absent. */
    public float[] optionalVector(String name, int n) {
        return has(name) ? vector(name, n) : null;
    }

    /** The values of an F32, F16 or BF16 tensor as floats. */
    public float[] floats(Tensor t) {
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        MemorySegment d = t.data();
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(d, LE_FLOAT, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(d.get(LE_SHORT, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((d.get(LE_SHORT, 2L * i) & 0xFFFF) << 16);
                }
            }
            default -> throw new ModelFormatException(source + ": tensor '" + t.name() + "' is " + t.dtype()
                    + "; Nuri reads vectors only as F32, F16 or BF16");
        }
        return out;
    }

    /** Wraps a row-major float array as an F32 weight matrix (weights that had to be transposed at load). */
    public static WeightMatrix heapMatrix(String name, float[] values, int rows, int cols) {
        MemorySegment seg = MemorySegment.ofArray(values);
        return WeightMatrix.of(name, DType.F32, rows, cols, seg);
    }
}

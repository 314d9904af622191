package dev.nuri.format;

import dev.nuri.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;

/**
 * A set of named tensors backed by memory-mapped model files (GGUF, safetensors, a sharded Hugging Face folder).
 * Tensors are views into the mapping: no weight is copied, and they stay valid until {@link #close()}.
 * Shapes are outermost-first (see {@link Tensor}).
 */
public interface TensorSource extends AutoCloseable {

    /** Tensor names in file order. */
    List<String> tensorNames();

    boolean has(String name);

    /**
     * The tensor called {@code name}.
     *
     * @throws ModelFormatException naming the tensor and the file when it is absent or of a type Nuri cannot read
     */
    Tensor tensor(String name);

    /** The file (or, for a sharded model, the index file or folder) this source was opened from. */
    Path path();

    /** Unmaps the file(s); tensors obtained from this source must not be used afterwards. */
    @Override
    void close();
}

package dev.nuri.tensor;

/**
 * Element types of tensors in model files. Block-quantized types store {@link #blockSize()} values in
 * {@link #blockBytes()} bytes; plain types have a block size of 1. {@link #ggmlId()} is the type id in GGUF
 * files (ggml's {@code enum ggml_type}); -1 for types GGUF has no id for.
 * Block layouts follow ggml-common.h.
 */
public enum DType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2),
    U8(-1, 1, 1),
    BOOL(-1, 1, 1);

    private final int ggmlId;
    private final int blockSize;
    private final int blockBytes;

    DType(int ggmlId, int blockSize, int blockBytes) {
        this.ggmlId = ggmlId;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int ggmlId() {
        return ggmlId;
    }

    /** Values per block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block (the element size for plain types). */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes needed for {@code elements} values, or -1 if the count is not a whole number of blocks or the size
     * overflows a long. Callers validating untrusted files turn -1 into an error naming the tensor.
     */
    public long bytesFor(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            return -1;
        }
        try {
            return Math.multiplyExact(elements / blockSize, (long) blockBytes);
        } catch (ArithmeticException overflow) {
            return -1;
        }
    }

    /** The type with this GGUF/ggml id, or null if Nuri does not know it. */
    public static DType fromGgmlId(int id) {
        for (DType t : values()) {
            if (t.ggmlId == id && id >= 0) {
                return t;
            }
        }
        return null;
    }
}

package dev.nuri.format.gguf;

import dev.nuri.tensor.DType;

/**
 * One tensor's entry in a GGUF header, as the file states it.
 *
 * @param name the tensor name
 * @param ggmlType the ggml type id (may be one Nuri does not know: see {@link #dtype()})
 * @param ne the dimensions innermost-first, as GGUF stores them ({@code ne[0]} is the row length)
 * @param offset the byte offset of the data, relative to the start of the data section
 * @param byteSize the bytes the data takes, or -1 when the type is unknown to Nuri
 */
public record GgufTensorInfo(String name, int ggmlType, long[] ne, long offset, long byteSize) {

    public GgufTensorInfo {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** The Nuri dtype, or null if the ggml type id is unknown. */
    public DType dtype() {
        return DType.fromGgmlId(ggmlType);
    }

    /** The type's name: a {@link DType} name, a ggml name Nuri cannot compute with (IQ2_XXS, ...) or {@code type#<id>}. */
    public String typeName() {
        return GgmlTypes.name(ggmlType);
    }

    /** Dimensions outermost-first (the reverse of {@link #ne()}), as {@link dev.nuri.tensor.Tensor} uses. */
    public long[] shape() {
        long[] shape = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            shape[i] = ne[ne.length - 1 - i];
        }
        return shape;
    }

    public long elementCount() {
        long n = 1;
        for (long d : ne) {
            n *= d; // validated not to overflow when read from a file
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && t.ggmlType == ggmlType
                && java.util.Arrays.equals(t.ne, ne) && t.offset == offset && t.byteSize == byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + java.util.Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + " " + typeName() + java.util.Arrays.toString(shape()) + " @" + offset;
    }
}

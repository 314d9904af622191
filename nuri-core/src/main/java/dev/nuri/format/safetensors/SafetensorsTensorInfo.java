package dev.nuri.format.safetensors;

import dev.nuri.tensor.DType;
import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name the tensor name
 * @param dtype the dtype as the file names it ({@code "F32"}, {@code "BF16"}, {@code "F8_E4M3"}, ...)
 * @param shape outermost-first
 * @param begin start of the data, relative to the end of the header
 * @param end end of the data (exclusive), relative to the end of the header
 */
public record SafetensorsTensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    public SafetensorsTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The Nuri dtype, or null if Nuri cannot compute with this one (F8_*, U16, U32, U64). */
    public DType nuriDType() {
        return SafetensorsDTypes.toDType(dtype);
    }

    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsTensorInfo t && t.name.equals(name) && t.dtype.equals(dtype)
                && Arrays.equals(t.shape, shape) && t.begin == begin && t.end == end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}

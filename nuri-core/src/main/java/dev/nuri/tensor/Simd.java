package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared pieces of the weight kernels. They use 8-lane (256-bit) float vectors regardless of the preferred
 * species: every block format holds multiples of 8 values, AVX2 and AVX-512 run them natively, and a fixed lane
 * count makes the summation order (and so every result bit) the same on every machine. Reductions follow
 * the fixed tree of {@link #sum8} rather than {@code reduceLanes}, whose order is unspecified (and differs
 * between the interpreter and compiled code).
 *
 * <p>The kernels spell their vector operations out inline instead of calling small helpers that take or return
 * vectors: once a kernel is large, C2 stops inlining such helpers ("callee is too large"), and every vector
 * crossing a non-inlined call is boxed on the heap, which made a Q4_K mat-vec ~30x slower.
 */
final class Simd {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** Lane i of the result is lane i+4 (mod 8) of the input. */
    static final VectorShuffle<Float> ROTATE_HALVES = VectorShuffle.fromOp(F, i -> (i + 4) & 7);
    /** Lane i of the result is lane i+2 (mod 8) of the input. */
    static final VectorShuffle<Float> ROTATE_PAIRS = VectorShuffle.fromOp(F, i -> (i + 2) & 7);

    private Simd() {
    }

    /**
     * The lanes of an 8-lane vector summed in the fixed order {@code ((v0+v4)+(v2+v6)) + ((v1+v5)+(v3+v7))}: the
     * halves added, then the pairs of that, then two lanes. Short rows pay this once per row; it costs about a fifth
     * less than extracting all eight lanes (Q6_K rows of 256 values, one core: 72 against 87 ns). It is split in two
     * methods of under 35 bytecodes so C2 inlines both even where the call is not hot (a larger one was left as a
     * call, and the vector passed to it boxed on the heap, once per row). Kernels too large for C2 to inline
     * anything more into write the same steps out.
     */
    static float sum8(FloatVector v) {
        return sum4(v.add(v.rearrange(ROTATE_HALVES)));
    }

    /** {@code (s0+s2)+(s1+s3)}: the second half of {@link #sum8}. */
    private static float sum4(FloatVector s) {
        s = s.add(s.rearrange(ROTATE_PAIRS));
        return s.lane(0) + s.lane(1);
    }

    /**
     * {@code x[off .. off+len)} reordered within every 32 values for the "sliced" kernels, which load 32 weight bytes
     * as 8 int lanes and take byte j of every lane together: {@code out[c + 8j + i] = x[off + c + 4i + j]} (i in
     * [0, 8), j in [0, 4)), so the kernel's load j of a group lines up with the values 4i+j. {@code extra} floats
     * are left free at the end for the caller's own prepared data.
     */
    static float[] sliceOrder(float[] x, int off, int len, int extra) {
        return sliceOrder(x, off, len, extra, 1f);
    }

    /** {@link #sliceOrder(float[], int, int, int)} times {@code scale}, a power of two (exact). */
    static float[] sliceOrder(float[] x, int off, int len, int extra, float scale) {
        float[] out = new float[len + extra];
        for (int c = 0; c < len; c += 32) {
            for (int j = 0; j < 4; j++) {
                for (int i = 0; i < 8; i++) {
                    out[c + 8 * j + i] = x[off + c + 4 * i + j] * scale;
                }
            }
        }
        return out;
    }

    /** The IEEE half-precision value at {@code offset}, widened exactly (as ggml's GGML_FP16_TO_FP32). */
    static float f16(MemorySegment seg, long offset) {
        return Float.float16ToFloat(seg.get(LE_SHORT, offset));
    }
}

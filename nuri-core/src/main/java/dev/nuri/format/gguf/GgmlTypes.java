package dev.nuri.format.gguf;

import dev.nuri.tensor.DType;

/**
 * Names and block layouts of every ggml tensor type, including the ones Nuri cannot compute with (i-quants,
 * ternary, MXFP4): knowing their sizes lets the reader validate byte ranges of any real GGUF file and lets
 * {@code nuri inspect} name them. Layouts from ggml-common.h ({@code block_iq2_xxs} etc.).
 */
final class GgmlTypes {
    private GgmlTypes() {
    }

    /** name, values per block, bytes per block; indexed by ggml type id; null where ggml has no such type. */
    private record Layout(String name, int blockSize, int blockBytes) {
    }

    private static final Layout[] EXTRA = new Layout[40];

    static {
        EXTRA[16] = new Layout("IQ2_XXS", 256, 66);
        EXTRA[17] = new Layout("IQ2_XS", 256, 74);
        EXTRA[18] = new Layout("IQ3_XXS", 256, 98);
        EXTRA[19] = new Layout("IQ1_S", 256, 50);
        EXTRA[20] = new Layout("IQ4_NL", 32, 18);
        EXTRA[21] = new Layout("IQ3_S", 256, 110);
        EXTRA[22] = new Layout("IQ2_S", 256, 82);
        EXTRA[23] = new Layout("IQ4_XS", 256, 136);
        EXTRA[29] = new Layout("IQ1_M", 256, 56);
        EXTRA[34] = new Layout("TQ1_0", 256, 54);
        EXTRA[35] = new Layout("TQ2_0", 256, 66);
        EXTRA[39] = new Layout("MXFP4", 32, 17);
    }

    private static Layout extra(int id) {
        return id >= 0 && id < EXTRA.length ? EXTRA[id] : null;
    }

    /** The type's name: the DType name, a ggml name for types Nuri cannot compute with, or {@code type#<id>}. */
    static String name(int id) {
        DType d = DType.fromGgmlId(id);
        if (d != null) {
            return d.name();
        }
        Layout l = extra(id);
        return l != null ? l.name() : "type#" + Integer.toUnsignedString(id);
    }

    /** Values per block, or 0 when the type id is unknown. */
    static int blockSize(int id) {
        DType d = DType.fromGgmlId(id);
        if (d != null) {
            return d.blockSize();
        }
        Layout l = extra(id);
        return l != null ? l.blockSize() : 0;
    }

    /** Bytes per block, or 0 when the type id is unknown. */
    static int blockBytes(int id) {
        DType d = DType.fromGgmlId(id);
        if (d != null) {
            return d.blockBytes();
        }
        Layout l = extra(id);
        return l != null ? l.blockBytes() : 0;
    }
}

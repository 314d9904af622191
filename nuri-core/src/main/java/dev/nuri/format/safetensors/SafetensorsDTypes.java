package dev.nuri.format.safetensors;

import dev.nuri.tensor.DType;
import java.util.Map;

/** safetensors dtype names (the Rust crate's {@code enum Dtype}) and their element sizes. */
final class SafetensorsDTypes {
    private SafetensorsDTypes() {
    }

    /** Element size in bytes of every byte-sized dtype the format defines (sub-byte F4/F6 types are not read). */
    private static final Map<String, Integer> SIZES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1),
            Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1),
            Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    private static final Map<String, DType> TO_DTYPE = Map.of(
            "F32", DType.F32, "F16", DType.F16, "BF16", DType.BF16, "F64", DType.F64, "I64", DType.I64,
            "I32", DType.I32, "I16", DType.I16, "I8", DType.I8, "U8", DType.U8, "BOOL", DType.BOOL);

    /**
     * The writer's order: the Rust crate sorts tensors by dtype, largest alignment first, then by name. This is
     * the crate's declaration order of {@code Dtype} (ascending alignment).
     */
    private static final java.util.List<String> ORDER = java.util.List.of(
            "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64",
            "U64");

    /** Element size, or 0 if the name is not a dtype Nuri knows the size of. */
    static int size(String name) {
        return SIZES.getOrDefault(name, 0);
    }

    /** The Nuri dtype, or null if Nuri cannot compute with it (F8, U16, U32, U64). */
    static DType toDType(String name) {
        return TO_DTYPE.get(name);
    }

    static String name(DType dtype) {
        for (var e : TO_DTYPE.entrySet()) {
            if (e.getValue() == dtype) {
                return e.getKey();
            }
        }
        return null;
    }

    static int order(String name) {
        return ORDER.indexOf(name);
    }
}

package dev.nuri.format.gguf;

/**
 * GGUF metadata value types ({@code enum gguf_type} in ggml's gguf.h / docs/gguf.md), with their id in the file
 * and, for fixed-size types, their size in bytes (0 for STRING and ARRAY, whose size depends on the value).
 */
public enum GgufType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 0),
    ARRAY(9, 0),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufType[] BY_ID = new GgufType[13];

    static {
        for (GgufType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int size;

    GgufType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    public int id() {
        return id;
    }

    /** Bytes per value for fixed-size types; 0 for STRING and ARRAY. */
    public int size() {
        return size;
    }

    /** The type with this id, or null for an id GGUF does not define. */
    public static GgufType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** The fewest bytes one value of this type can take in a file (used to bound forged counts). */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8; // uint64 length
            case ARRAY -> 12; // uint32 element type + uint64 count
            default -> size;
        };
    }
}

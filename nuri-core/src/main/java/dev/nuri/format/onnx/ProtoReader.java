package dev.nuri.format.onnx;

import dev.nuri.format.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A strict reader of the protocol-buffers wire format (https://protobuf.dev/programming-guides/encoding/) over
 * a window [position, limit) of a memory segment. Every length is checked against the window before it is used,
 * varints longer than 10 bytes are rejected, and the deprecated group wire types are refused.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final MemorySegment data;
    private final String source;
    private long position;
    private final long limit;

    ProtoReader(MemorySegment data, long start, long limit, String source) {
        this.data = data;
        this.position = start;
        this.limit = limit;
        this.source = source;
    }

    boolean hasMore() {
        return position < limit;
    }

    long position() {
        return position;
    }

    /** The next field's tag: field number {@code << 3 | wire type}. */
    long readTag() {
        long tag = readVarint();
        long field = tag >>> 3;
        int wire = (int) (tag & 7);
        if (field == 0 || field > 0x1FFFFFFFL) {
            throw corrupt("invalid field number " + field);
        }
        if (wire != VARINT && wire != FIXED64 && wire != LENGTH_DELIMITED && wire != FIXED32) {
            throw corrupt("field " + field + " has wire type " + wire + ", which ONNX files never use");
        }
        return tag;
    }

    long readVarint() {
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (position >= limit) {
                throw corrupt("truncated varint");
            }
            byte b = data.get(ValueLayout.JAVA_BYTE, position++);
            if (i == 9 && (b & 0xFE) != 0) {
                throw corrupt("varint does not fit in 64 bits");
            }
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw corrupt("varint longer than 10 bytes");
    }

    int readFixed32() {
        require(4, "fixed32");
        int v = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), position);
        position += 4;
        return v;
    }

    long readFixed64() {
        require(8, "fixed64");
        long v = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), position);
        position += 8;
        return v;
    }

    /** Reads a length prefix and returns the start offset of the payload, advancing past it. */
    long readLengthDelimited(String what) {
        long length = readVarint();
        if (length < 0 || length > limit - position) {
            throw corrupt(what + " claims " + Long.toUnsignedString(length) + " bytes but only " + (limit - position)
                    + " remain in its enclosing message");
        }
        long start = position;
        position += length;
        return start;
    }

    /** A reader over the next length-delimited payload (a nested message). */
    ProtoReader readMessage(String what) {
        long start = readLengthDelimited(what);
        return new ProtoReader(data, start, position, source);
    }

    String readString(String what) {
        long start = readLengthDelimited(what);
        byte[] bytes = data.asSlice(start, position - start).toArray(ValueLayout.JAVA_BYTE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(what + " is not valid UTF-8");
        }
    }

    /** The payload of the next length-delimited field as a view (no copy). */
    MemorySegment readBytes(String what) {
        long start = readLengthDelimited(what);
        return data.asSlice(start, position - start);
    }

    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> require(8, "fixed64").position += 8;
            case FIXED32 -> require(4, "fixed32").position += 4;
            case LENGTH_DELIMITED -> readLengthDelimited("a field");
            default -> throw corrupt("unknown wire type " + wireType);
        }
    }

    /** Fails unless the field has the wire type its schema gives it. */
    void expect(long tag, int wireType, String message, String field) {
        int actual = (int) (tag & 7);
        if (actual != wireType) {
            throw corrupt(message + "." + field + " (field " + (tag >>> 3) + ") has wire type " + actual + ", expected " + wireType);
        }
    }

    private ProtoReader require(long bytes, String what) {
        if (limit - position < bytes) {
            throw corrupt("truncated " + what);
        }
        return this;
    }

    ModelFormatException corrupt(String problem) {
        return new ModelFormatException(source + ": corrupt ONNX protobuf at byte " + position + ": " + problem);
    }
}

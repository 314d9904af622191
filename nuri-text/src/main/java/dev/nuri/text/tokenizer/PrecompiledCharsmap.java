package dev.nuri.text.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * SentencePiece's precompiled normalization rules ({@code precompiled_charsmap}): a little-endian u32 size, an
 * XOR-compressed double array (Kanda 2018, darts-clone units: BASE in bits 10-30 shifted by bit 9, LEAF bit 8,
 * LCHECK in bits 0-7 and 31, values in bits 0-30) mapping input byte strings to offsets of NUL-terminated
 * replacements that follow it. Normalization replaces the longest matching prefix at each position, as
 * SentencePiece's normalizer and llama.cpp do.
 */
final class PrecompiledCharsmap {
    private final int[] array;
    private final byte[] replacements;

    PrecompiledCharsmap(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("precompiled charsmap is too small for its header");
        }
        ByteBuffer buf = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        long size = Integer.toUnsignedLong(buf.getInt(0));
        if (size % 4 != 0 || size + 4 >= blob.length) {
            throw new IllegalArgumentException("precompiled charsmap: double-array size " + size + " does not fit in "
                    + blob.length + " bytes");
        }
        array = new int[(int) (size / 4)];
        for (int i = 0; i < array.length; i++) {
            array[i] = buf.getInt(4 + 4 * i);
        }
        replacements = java.util.Arrays.copyOfRange(blob, 4 + (int) size, blob.length);
    }

    /**
     * The replacement for the longest key that prefixes {@code input[offset..]}, or null; {@code matched[0]} gets
     * the key's length.
     */
    byte[] longestPrefix(byte[] input, int offset, int[] matched) {
        int length = 0;
        int value = 0;
        int index = base(0);
        for (int i = offset; i < input.length; i++) {
            int c = input[i] & 0xFF;
            if (c == 0) {
                break;
            }
            index ^= c;
            if (index < 0 || index >= array.length || lcheck(index) != c) {
                break;
            }
            boolean leaf = ((node(index) >>> 8) & 1) != 0;
            index ^= base(index);
            if (leaf) {
                length = i - offset + 1;
                value = node(index) & 0x7FFFFFFF;
            }
        }
        if (length == 0) {
            return null;
        }
        if (value >= replacements.length) {
            throw new IllegalArgumentException("precompiled charsmap: replacement offset " + value + " is outside the table");
        }
        int end = value;
        while (end < replacements.length && replacements[end] != 0) {
            end++;
        }
        if (end == replacements.length) {
            throw new IllegalArgumentException("precompiled charsmap: unterminated replacement string");
        }
        matched[0] = length;
        return java.util.Arrays.copyOfRange(replacements, value, end);
    }

    /** Normalizes a whole string: longest-prefix replacements, other characters copied. */
    String normalize(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 8);
        int[] matched = new int[1];
        for (int i = 0; i < in.length; ) {
            byte[] r = longestPrefix(in, i, matched);
            if (r != null) {
                out.writeBytes(r);
                i += matched[0];
            } else {
                int len = Math.min(utf8Length(in[i]), in.length - i);
                out.write(in, i, len);
                i += len;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static int utf8Length(byte lead) {
        int b = lead & 0xFF;
        return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    }

    private int node(int index) {
        if (index < 0 || index >= array.length) {
            throw new IllegalArgumentException("precompiled charsmap: index " + index + " is outside the double array");
        }
        return array[index];
    }

    private int base(int index) {
        int packed = node(index);
        return (packed >>> 10) << ((packed & (1 << 9)) >>> 6);
    }

    private int lcheck(int index) {
        return node(index) & (0x80000000 | 0xFF);
    }
}

package dev.nuri.train.data;

import dev.nuri.NuriException;
import dev.nuri.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of token ids for training, written by {@code nuri data tokenize}. Layout (little-endian): a 32-byte
 * header — magic {@code "NURITOKS"}, int32 version (1), int32 bytes per id (2: uint16, 4: uint32), int64 token
 * count, int32 vocabulary size, 4 reserved bytes — then the ids. Documents are concatenated, each followed by the
 * end-of-text id chosen when tokenizing.
 */
public final class TokenShard {
    static final byte[] MAGIC = "NURITOKS".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = 32;

    private final Path path;
    private final int[] ids;
    private final int vocabSize;

    private TokenShard(Path path, int[] ids, int vocabSize) {
        this.path = path;
        this.ids = ids;
        this.vocabSize = vocabSize;
    }

    /** Reads and checks a shard; every id must be below the recorded vocabulary size. */
    public static TokenShard read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER) {
                throw corrupt(path, "file is " + size + " bytes, shorter than the 32-byte header");
            }
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            h.flip();
            byte[] magic = new byte[8];
            h.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw corrupt(path, "not a Nuri token shard (bad magic)");
            }
            int version = h.getInt();
            if (version != VERSION) {
                throw corrupt(path, "unsupported version " + version + " (this build reads version " + VERSION + ")");
            }
            int width = h.getInt();
            if (width != 2 && width != 4) {
                throw corrupt(path, "bytes per id must be 2 or 4, got " + width);
            }
            long count = h.getLong();
            int vocab = h.getInt();
            if (vocab <= 0 || (width == 2 && vocab > 65536)) {
                throw corrupt(path, "invalid vocabulary size " + vocab + " for " + width + "-byte ids");
            }
            if (count < 0 || count > Integer.MAX_VALUE - 8 || HEADER + count * width != size) {
                throw corrupt(path, "header says " + count + " ids of " + width + " bytes but the file holds "
                        + (size - HEADER) + " bytes after the header");
            }
            ByteBuffer data = ByteBuffer.allocate((int) (count * width)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, data, HEADER);
            data.flip();
            int[] ids = new int[(int) count];
            for (int i = 0; i < ids.length; i++) {
                long id = width == 2 ? Short.toUnsignedInt(data.getShort()) : Integer.toUnsignedLong(data.getInt());
                if (id >= vocab) {
                    throw corrupt(path, "token " + i + " has id " + id + ", not below the vocabulary size " + vocab);
                }
                ids[i] = (int) id;
            }
            return new TokenShard(path, ids, vocab);
        }
    }

    /** Writes {@code ids} atomically (temporary file, fsync, rename), as uint16 when the vocabulary allows. */
    public static void write(Path path, int[] ids, int vocabSize) throws IOException {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        int width = vocabSize <= 65536 ? 2 : 4;
        ByteBuffer buf = ByteBuffer.allocate(HEADER + ids.length * width).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putInt(width).putLong(ids.length).putInt(vocabSize).putInt(0);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocabSize) {
                throw new NuriException("token " + i + " has id " + id + ", outside the vocabulary [0, " + vocabSize + ")");
            }
            if (width == 2) {
                buf.putShort((short) id);
            } else {
                buf.putInt(id);
            }
        }
        buf.flip();
        AtomicFiles.write(path, buf);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static NuriException corrupt(Path path, String what) {
        return new NuriException("corrupt token shard " + path + ": " + what);
    }

    public Path path() {
        return path;
    }

    public int size() {
        return ids.length;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** The ids (live array; do not modify). */
    public int[] ids() {
        return ids;
    }
}

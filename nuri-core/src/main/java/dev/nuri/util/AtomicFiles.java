package dev.nuri.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over the target,
 * fsync the folder. A crash at any point leaves either the old file or the complete new one, never a partial one.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the bytes of a file to an open channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Replaces {@code target} with what {@code writer} writes. */
    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.writeTo(ch);
                ch.force(true);
            }
            move(tmp, target);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path target, ByteBuffer data) throws IOException {
        write(target, ch -> writeFully(ch, data));
    }

    /** Replaces {@code target} with everything {@code in} holds. */
    public static void write(Path target, InputStream in) throws IOException {
        write(target, ch -> {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                writeFully(ch, ByteBuffer.wrap(buffer, 0, n));
            }
        });
    }

    /** Writes all remaining bytes of {@code data} (a channel write may write fewer than asked). */
    public static void writeFully(FileChannel ch, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            ch.write(data);
        }
    }

    public static void write(Path target, byte[] data) throws IOException {
        write(target, ByteBuffer.wrap(data));
    }

    /** Flushes a file's contents to disk. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes a rename inside {@code dir} durable (a no-op where the platform cannot open directories). */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; the rename is still atomic there.
        }
    }

    /** Renames atomically where the file system can, replacing the target. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

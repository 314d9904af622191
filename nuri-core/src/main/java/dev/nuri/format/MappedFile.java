package dev.nuri.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole file mapped read-only into a shared {@link Arena} (so tensors can be read from any thread).
 * Closing it unmaps the file.
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /** Maps {@code path}; a missing or unreadable file is a {@link ModelFormatException} naming it. */
    public static MappedFile map(Path path) {
        if (Files.isDirectory(path)) {
            throw new ModelFormatException(path + ": is a folder, not a file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new MappedFile(path, arena, segment);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelFormatException(path + ": no such file");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new ModelFormatException(path + ": permission denied");
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new ModelFormatException(path + ": cannot map the file: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** The whole file. */
    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return segment.byteSize();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

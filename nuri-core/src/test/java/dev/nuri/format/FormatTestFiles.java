package dev.nuri.format;

import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Lists fixture files for the format tests. */
public final class FormatTestFiles {
    private FormatTestFiles() {
    }

    /** Every *.gguf under fixtures/gguf and fixtures/vocab (skips the calling test if fixtures are absent). */
    public static List<Path> ggufFixtures() {
        Path root = Fixtures.require("gguf").getParent();
        return Stream.of(root.resolve("gguf"), root.resolve("vocab"))
                .flatMap(FormatTestFiles::list)
                .filter(p -> p.getFileName().toString().endsWith(".gguf"))
                .sorted()
                .toList();
    }

    /** Every *.safetensors under fixtures/hf and fixtures/decoding. */
    public static List<Path> safetensorsFixtures() {
        Path root = Fixtures.require("hf").getParent();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

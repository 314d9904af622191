package dev.nuri.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates {@code ../shared/fixtures} (reference outputs from Hugging Face transformers and llama.cpp).
 * A user's fresh clone has no {@code shared/} beside it: tests that read fixtures call {@link #require}, which
 * skips the test with a message saying so.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The fixtures folder, or null when it is absent. Set by surefire as system property {@code nuri.fixtures}. */
    public static Path root() {
        String prop = System.getProperty("nuri.fixtures");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared", "fixtures");
        if (Files.isDirectory(p)) {
            return p.toAbsolutePath().normalize();
        }
        Path up = Path.of("..", "..", "shared", "fixtures");
        return Files.isDirectory(up) ? up.toAbsolutePath().normalize() : null;
    }

    public static boolean available() {
        return root() != null;
    }

    /** The fixture at {@code relative} (e.g. {@code "hf/llama-tiny"}); skips the calling test if it is absent. */
    public static Path require(String relative) {
        Path root = root();
        if (root == null) {
            String msg = "skipped: ../shared/fixtures is absent (reference fixtures are not part of a fresh clone)";
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        Path p = root.resolve(relative);
        if (!Files.exists(p)) {
            String msg = "skipped: fixture " + p + " is absent";
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        return p;
    }
}

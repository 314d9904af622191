package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandsTest {
    @TempDir
    Path dir;

    @Test
    void tokenizerTrainWritesTokenizerJson() throws Exception {
        Path text = dir.resolve("a.txt");
        Files.writeString(text, "the cat sat on the mat. the dog sat on the log.\n".repeat(50));
        int rc = NuriCommand.execute("tokenizer", "train", "--vocab-size", "300", "--files", text.toString(),
                "--out", dir.resolve("tok").toString());
        assertEquals(0, rc);
        String json = Files.readString(dir.resolve("tok/tokenizer.json"));
        assertTrue(json.contains("\"type\" : \"BPE\""), json.substring(0, 200));
        assertTrue(Files.exists(dir.resolve("tok/tokenizer_config.json")));
    }

    @Test
    void badInputsGiveOneLineErrors() throws Exception {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true));
            int rc = NuriCommand.execute("train", "--config", dir.resolve("missing.yaml").toString());
            assertEquals(1, rc);
            Path bad = dir.resolve("bad.json");
            Files.writeString(bad, "{\"model\": ");
            assertEquals(1, NuriCommand.execute("train", "--config", bad.toString()));
            assertEquals(1, NuriCommand.execute("tokenizer", "train", "--vocab-size", "10", "--files",
                    bad.toString(), "--out", dir.toString()));
        } finally {
            System.setErr(oldErr);
        }
        String out = err.toString();
        assertTrue(out.contains("nuri: training config") && out.contains("does not exist"), out);
        assertTrue(out.contains("is malformed"), out);
        assertTrue(out.contains("vocabulary size must be at least 257"), out);
        assertTrue(!out.contains("internal error"), out);
    }
}

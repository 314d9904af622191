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

    /** tokenizer train → data tokenize → train → run: the trained folder runs with the inference engine. */
    @Test
    void pipelineFromTextToARunnableModel() throws Exception {
        StringBuilder text = new StringBuilder();
        String[] subjects = {"the cat", "the dog", "a lamb", "the king"};
        String[] verbs = {"sat on", "ran to", "looked at"};
        String[] objects = {"the hill", "the moon", "the wall"};
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < 1500; i++) {
            text.append(subjects[rnd.nextInt(4)]).append(' ').append(verbs[rnd.nextInt(3)]).append(' ')
                    .append(objects[rnd.nextInt(3)]).append(".\n\n");
        }
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, text);
        Path tok = dir.resolve("tok");
        assertEquals(0, NuriCommand.execute("tokenizer", "train", "--vocab-size", "300", "--files", corpus.toString(),
                "--out", tok.toString()));
        assertEquals(0, NuriCommand.execute("data", "tokenize", "--tokenizer", tok.toString(), "--paragraphs",
                "--out", dir.resolve("train.bin").toString(), "--val-out", dir.resolve("val.bin").toString(), corpus.toString()));
        Files.writeString(dir.resolve("run.yaml"), """
                model: {hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64}
                data: {train: train.bin, validation: val.bin, tokenizer: tok/tokenizer.json, seq_len: 32}
                batch_size: 4
                steps: 40
                optimizer: {lr: 5.0e-3}
                eval_every: 20
                save_every: 20
                out: run
                threads: 1
                """);
        assertEquals(0, NuriCommand.execute("train", "--config", dir.resolve("run.yaml").toString()));
        Path ckpt = dir.resolve("run").resolve(Files.readString(dir.resolve("run/latest")).strip());
        assertTrue(Files.exists(ckpt.resolve("tokenizer.json")));
        assertTrue(Files.readString(ckpt.resolve("config.json")).contains("\"eos_token_id\" : 0"),
                "the end-of-text id comes from the tokenizer");
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            assertEquals(0, NuriCommand.execute("run", "--model", ckpt.toString(), "--prompt", "the cat",
                    "--max-tokens", "8", "--temperature", "0", "--json"));
        } finally {
            System.setOut(oldOut);
        }
        assertTrue(out.toString().contains("\"ids\""), out.toString());
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

package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.train.data.TokenShard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nuri train} in a child JVM killed with SIGKILL while it trains and checkpoints, then resumed: the resumed
 * run must finish with exactly the losses of an uninterrupted run.
 */
class TrainKillResumeTest {
    @TempDir
    Path dir;

    private Process start(String config, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), NuriCommand.class.getName(),
                "train", "--config", dir.resolve(config).toString()));
        if (resume) {
            cmd.add("--resume");
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(config + ".log").toFile()).start();
    }

    private void writeConfig(String name) throws Exception {
        Files.writeString(dir.resolve(name + ".yaml"), """
                model: {hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64}
                data: {train: train.bin, seq_len: 32, val_fraction: 0.1}
                batch_size: 4
                steps: 60
                eval_every: 30
                save_every: 5
                out: %s
                threads: 1
                """.formatted(name));
    }

    @Test
    void killedRunResumesToTheSameLosses() throws Exception {
        int[] tokens = new int[40000];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i % 7 == 0 ? 0 : 1 + rnd.nextInt(40);
        }
        TokenShard.write(dir.resolve("train.bin"), tokens, 64);
        writeConfig("full");
        writeConfig("killed");
        Process full = start("full.yaml", false);
        Process victim = start("killed.yaml", false);
        Path latest = dir.resolve("killed/latest");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(latest) && victim.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300);
        assertTrue(victim.isAlive(), "the run should still be training when killed: " + Files.readString(dir.resolve("killed.yaml.log")));
        victim.destroyForcibly().waitFor();
        String killedAt = Files.readString(latest).strip();
        assertTrue(Files.isRegularFile(dir.resolve("killed").resolve(killedAt).resolve("model.safetensors")));

        Process resumed = start("killed.yaml", true);
        assertTrue(resumed.waitFor(180, TimeUnit.SECONDS), "resumed run timed out");
        assertEquals(0, resumed.exitValue(), Files.readString(dir.resolve("killed.yaml.log")));
        assertTrue(full.waitFor(180, TimeUnit.SECONDS), "uninterrupted run timed out");
        assertEquals(0, full.exitValue(), Files.readString(dir.resolve("full.yaml.log")));
        System.out.println("killed after " + killedAt + "; resumed to step 60");
        assertEquals(Files.readAllLines(dir.resolve("full/train_log.jsonl")),
                Files.readAllLines(dir.resolve("killed/train_log.jsonl")),
                "the killed and resumed run must log exactly the uninterrupted run's losses");
    }
}

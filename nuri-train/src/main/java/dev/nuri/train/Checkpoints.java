package dev.nuri.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.NuriException;
import dev.nuri.train.model.TrainableLlama;
import dev.nuri.train.optim.Optimizer;
import dev.nuri.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checkpoints of a run under its output folder. Each {@code checkpoint-NNNNNNN/} is a complete Hugging Face model
 * folder (config.json, model.safetensors, tokenizer files) plus {@code optimizer.safetensors} and
 * {@code trainer_state.json}. A checkpoint is built in a hidden temporary folder, every file fsynced, then the
 * folder is renamed into place and {@code latest} (a one-line text file, replaced atomically) is pointed at it:
 * a run killed at any moment leaves {@code latest} naming a complete checkpoint.
 */
public final class Checkpoints {
    static final String LATEST = "latest";
    static final String STATE = "trainer_state.json";
    static final String OPTIMIZER = "optimizer.safetensors";

    /** What a resumed run needs besides the weights and optimizer moments. */
    public record State(long step, long epoch, int windowIndex, long optimizerSteps) {
    }

    private final Path out;

    public Checkpoints(Path out) {
        this.out = out;
    }

    public Path latest() throws IOException {
        Path pointer = out.resolve(LATEST);
        if (!Files.exists(pointer)) {
            return null;
        }
        String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
        Path dir = out.resolve(name);
        if (name.isEmpty() || name.contains("/") || !Files.isDirectory(dir)) {
            throw new NuriException(pointer + " names checkpoint '" + name + "', which does not exist");
        }
        return dir;
    }

    /** Writes a checkpoint for {@code state.step()} and makes it the latest; keeps the newest {@code keep}. */
    public Path save(TrainableLlama model, Optimizer optimizer, State state, ObjectNode configJson, Path tokenizerJson,
                     int keep, Runnable beforeCommit) throws IOException {
        Files.createDirectories(out);
        String name = String.format("checkpoint-%07d", state.step());
        Path tmp = Files.createTempDirectory(out, "." + name + ".tmp-");
        try {
            HfLlamaFolder.writeJson(tmp.resolve("config.json"), configJson);
            ObjectNode gen = HfLlamaFolder.JSON.createObjectNode();
            if (configJson.has("bos_token_id")) {
                gen.set("bos_token_id", configJson.get("bos_token_id"));
            }
            if (configJson.has("eos_token_id")) {
                gen.set("eos_token_id", configJson.get("eos_token_id"));
            }
            HfLlamaFolder.writeJson(tmp.resolve("generation_config.json"), gen);
            HfLlamaFolder.writeWeights(tmp.resolve("model.safetensors"), model.parameters(), Map.of("format", "pt"));
            HfLlamaFolder.writeState(tmp.resolve(OPTIMIZER), model.parameters(), optimizer.state(), Map.of());
            if (tokenizerJson != null) {
                Files.copy(tokenizerJson, tmp.resolve("tokenizer.json"));
                Path tokConfig = tokenizerJson.resolveSibling("tokenizer_config.json");
                if (Files.isRegularFile(tokConfig)) {
                    Files.copy(tokConfig, tmp.resolve("tokenizer_config.json"));
                }
            }
            ObjectNode st = HfLlamaFolder.JSON.createObjectNode();
            st.put("step", state.step());
            st.put("epoch", state.epoch());
            st.put("window_index", state.windowIndex());
            st.put("optimizer_steps", state.optimizerSteps());
            HfLlamaFolder.writeJson(tmp.resolve(STATE), st);
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : files.toList()) {
                    AtomicFiles.fsync(f);
                }
            }
            AtomicFiles.fsyncDirectory(tmp);
            if (beforeCommit != null) {
                beforeCommit.run();
            }
            Path dest = out.resolve(name);
            Path old = null;
            if (Files.exists(dest)) {
                old = out.resolve("." + name + ".old-" + System.nanoTime());
                Files.move(dest, old);
            }
            Files.move(tmp, dest);
            AtomicFiles.fsyncDirectory(out);
            AtomicFiles.write(out.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.UTF_8));
            if (old != null) {
                deleteTree(old);
            }
            prune(keep, dest);
            return dest;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    /** Loads weights, optimizer moments and the trainer state from a checkpoint. */
    public static State load(Path dir, TrainableLlama model, Optimizer optimizer) throws IOException {
        HfLlamaFolder.readWeights(dir.resolve("model.safetensors"), model.parameters());
        HfLlamaFolder.readState(dir.resolve(OPTIMIZER), model.parameters(), optimizer.state());
        JsonNode st = HfLlamaFolder.JSON.readTree(dir.resolve(STATE).toFile());
        for (String key : List.of("step", "epoch", "window_index", "optimizer_steps")) {
            if (!st.path(key).canConvertToLong()) {
                throw new NuriException(dir.resolve(STATE) + " lacks a numeric '" + key + "'");
            }
        }
        State s = new State(st.get("step").asLong(), st.get("epoch").asLong(), st.get("window_index").asInt(),
                st.get("optimizer_steps").asLong());
        optimizer.restoreSteps(s.optimizerSteps());
        return s;
    }

    private void prune(int keep, Path current) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+") && Files.isDirectory(p)).forEach(all::add);
        }
        all.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).equals(current)) {
                deleteTree(all.get(i));
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

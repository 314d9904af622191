package dev.nuri.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.tensor.Parallel;
import dev.nuri.train.data.TokenShard;
import dev.nuri.train.model.TrainableLlama;
import dev.nuri.util.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    private Path config(String name, int steps, int saveEvery, String extra) throws Exception {
        String json = """
                {
                  "model": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                            "intermediate_size": 160, "eos_token_id": 256},
                  "data": {"train": "train.bin", "validation": "val.bin", "seq_len": 64},
                  "batch_size": 8,
                  "steps": %d,
                  "optimizer": {"name": "adamw", "lr": 3e-3, "weight_decay": 0.01},
                  "schedule": {"kind": "cosine", "warmup_steps": 20, "min_lr": 3e-4},
                  "eval_every": 50, "eval_batches": 4, "save_every": %d,
                  "out": "%s", "seed": 7, "threads": 2 %s
                }
                """.formatted(steps, saveEvery, name, extra);
        Path p = dir.resolve(name + ".json");
        Files.writeString(p, json);
        return p;
    }

    private void writeData() throws Exception {
        TokenShard.write(dir.resolve("train.bin"), TinyCorpus.tokens(3000, 1), TinyCorpus.VOCAB);
        TokenShard.write(dir.resolve("val.bin"), TinyCorpus.tokens(200, 2), TinyCorpus.VOCAB);
    }

    static List<Integer> greedy(TrainableLlama model, List<Integer> prompt, int newTokens) {
        List<Integer> ids = new ArrayList<>(prompt);
        int vocab = model.shape().vocabSize();
        for (int i = 0; i < newTokens; i++) {
            int[] in = ids.stream().mapToInt(Integer::intValue).toArray();
            float[] logits = model.forward(in, 1, in.length);
            int o = (in.length - 1) * vocab, best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[o + v] > logits[o + best]) {
                    best = v;
                }
            }
            ids.add(best);
        }
        return ids.subList(prompt.size(), ids.size());
    }

    @Test
    void pretrainingLearnsTheCorpusAndWritesAHuggingFaceFolder() throws Exception {
        writeData();
        Path cfgFile = config("run", 300, 150, "");
        TrainConfig cfg = TrainConfig.read(cfgFile);
        Trainer.Result r = new Trainer(cfg, dir, Progress.NONE).run(false);
        double unigram = TinyCorpus.unigramEntropy(TinyCorpus.tokens(200, 2));
        System.out.printf("tiny pretraining: unigram entropy %.3f nats, first loss %.3f, final validation loss %.3f, %.0f tokens/s%n",
                unigram, r.losses().get(0), r.lastValLoss(), r.tokensPerSecond());
        assertEquals(300, r.losses().size());
        assertTrue(r.losses().get(0) > unigram, "an untrained model starts above the unigram entropy");
        assertTrue(r.lastValLoss() < 0.5 * unigram, "validation loss " + r.lastValLoss()
                + " should fall well below the unigram entropy " + unigram);

        Path ckpt = r.checkpoint();
        assertEquals("checkpoint-0000300", ckpt.getFileName().toString());
        for (String f : List.of("config.json", "model.safetensors", "optimizer.safetensors", "trainer_state.json",
                "generation_config.json")) {
            assertTrue(Files.isRegularFile(ckpt.resolve(f)), f);
        }
        assertEquals("checkpoint-0000300", Files.readString(dir.resolve("run/latest")).strip());

        // reload the folder as a model and generate greedily: every generated sentence uses the grammar's words
        TrainableLlama reloaded = new TrainableLlama(HfLlamaFolder.readShape(ckpt.resolve("config.json")), Parallel.serial());
        HfLlamaFolder.readWeights(ckpt.resolve("model.safetensors"), reloaded.parameters());
        List<Integer> prompt = new ArrayList<>();
        prompt.add(TinyCorpus.END);
        for (byte b : "the cat ".getBytes(StandardCharsets.UTF_8)) {
            prompt.add((int) b);
        }
        List<Integer> out = greedy(reloaded, prompt, 40);
        StringBuilder text = new StringBuilder("the cat ");
        for (int id : out) {
            if (id == TinyCorpus.END) {
                break;
            }
            text.append((char) id);
        }
        System.out.println("greedy continuation: " + text);
        // the checkpoint is a standard Hugging Face Llama folder: the inference engine loads it and agrees
        EngineAgreementTest.assertSameLogits(ckpt, prompt.stream().mapToInt(Integer::intValue).toArray(), 1e-4);
        String s = text.toString();
        assertTrue(TinyCorpus.VERBS.stream().anyMatch(v -> s.startsWith("the cat " + v + " ")),
                "the continuation should use a verb from the corpus: " + s);
        assertTrue(TinyCorpus.OBJECTS.stream().anyMatch(o -> s.endsWith(o + ".")),
                "the sentence should end with an object from the corpus: " + s);
    }

    @Test
    void resumeAfterAKillRepeatsTheUninterruptedLossesExactly() throws Exception {
        writeData();
        List<Double> full = new Trainer(TrainConfig.read(config("full", 40, 10, "")), dir, Progress.NONE).run(false).losses();

        TrainConfig cfg = TrainConfig.read(config("killed", 40, 10, ""));
        RuntimeException kill = new RuntimeException("killed");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> new Trainer(cfg, dir, Progress.NONE)
                .onStep((step, loss) -> {
                    if (step == 25) {
                        throw kill;
                    }
                }).run(false));
        assertEquals(kill, thrown);
        assertEquals("checkpoint-0000020", Files.readString(dir.resolve("killed/latest")).strip());

        // a second crash, this time while writing checkpoint 30: latest must still name a complete checkpoint
        RuntimeException crash = new RuntimeException("crash while writing");
        assertThrows(RuntimeException.class, () -> new Trainer(cfg, dir, Progress.NONE)
                .beforeCheckpointCommit(() -> {
                    throw crash;
                }).run(true));
        assertEquals("checkpoint-0000020", Files.readString(dir.resolve("killed/latest")).strip());
        try (var files = Files.list(dir.resolve("killed"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary folder left behind");
        }

        Trainer.Result resumed = new Trainer(cfg, dir, Progress.NONE).run(true);
        assertEquals(20, resumed.firstStep());
        assertEquals(full.subList(20, 40), resumed.losses(), "losses after resume must equal the uninterrupted run's");
        List<String> log = Files.readAllLines(dir.resolve("killed/train_log.jsonl"));
        assertEquals(Files.readAllLines(dir.resolve("full/train_log.jsonl")), log);
    }

    @Test
    void refusesToOverwriteARunAndExplainsBadConfigs() throws Exception {
        writeData();
        TrainConfig cfg = TrainConfig.read(config("once", 20, 10, ""));
        new Trainer(cfg, dir, Progress.NONE).run(false);
        NuriException e = assertThrows(NuriException.class, () -> new Trainer(cfg, dir, Progress.NONE).run(false));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());

        NuriException typo = assertThrows(NuriException.class, () -> TrainConfig.read(config("x", 20, 10, ", \"stpes\": 3")));
        assertTrue(typo.getMessage().contains("stpes"), typo.getMessage());
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "model: {hidden_size: 64}\n");
        NuriException missing = assertThrows(NuriException.class, () -> TrainConfig.read(yaml));
        assertTrue(missing.getMessage().contains("num_hidden_layers"), missing.getMessage());
    }

    @Test
    void yamlConfigReadsTheSameAsJson() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, """
                model:
                  hidden_size: 64
                  num_hidden_layers: 2
                  num_attention_heads: 4
                  intermediate_size: 160
                data: {train: train.bin, seq_len: 32}
                steps: 10
                optimizer: {lr: 1.0e-3, betas: [0.9, 0.99], decay: all}
                out: run
                """);
        TrainConfig c = TrainConfig.read(yaml);
        assertEquals(10, c.steps());
        assertEquals(0.99, c.optimizer().betas().get(1));
        assertEquals(4, c.model().numKeyValueHeads());
        assertEquals(0.05, c.data().valFraction());
    }
}

package dev.nuri.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.NuriException;
import dev.nuri.tensor.Parallel;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import dev.nuri.train.data.TokenShard;
import dev.nuri.train.data.WindowSampler;
import dev.nuri.train.model.LlamaShape;
import dev.nuri.train.model.TrainableLlama;
import dev.nuri.train.optim.AdamW;
import dev.nuri.train.optim.GradClip;
import dev.nuri.train.optim.LrSchedule;
import dev.nuri.train.optim.Optimizer;
import dev.nuri.train.optim.Sgd;
import dev.nuri.util.Progress;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pretrains a Llama-architecture model from scratch on token shards, as {@code nuri train} runs it: AdamW (or SGD)
 * with warmup and decay, gradient accumulation and clipping, validation every {@code eval_every} steps and
 * crash-safe checkpoints. Deterministic given the seed: a resumed run repeats the uninterrupted run's losses
 * exactly. Each step's losses are appended to {@code train_log.jsonl} in the output folder.
 */
public final class Trainer {

    /** Called after every optimizer step (tests use it to interrupt a run). */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(long step, double loss);
    }

    /** The outcome: per-step training losses of this invocation, last validation loss, final checkpoint. */
    public record Result(long firstStep, List<Double> losses, List<Double> valLosses, double lastValLoss,
                         Path checkpoint, double tokensPerSecond) {
    }

    private final TrainConfig cfg;
    private final Path configDir;
    private final Progress progress;
    private StepListener listener = (s, l) -> { };
    private Runnable beforeCheckpointCommit;

    public Trainer(TrainConfig cfg, Path configDir, Progress progress) {
        this.cfg = cfg;
        this.configDir = configDir;
        this.progress = progress;
    }

    public Trainer onStep(StepListener l) {
        this.listener = l;
        return this;
    }

    /** Runs just before a checkpoint folder is renamed into place (tests inject a crash there). */
    Trainer beforeCheckpointCommit(Runnable r) {
        this.beforeCheckpointCommit = r;
        return this;
    }

    public Path outDir() {
        return TrainConfig.resolve(configDir, cfg.out());
    }

    public Result run(boolean resume) throws IOException {
        Path out = outDir();
        TokenShard train = TokenShard.read(TrainConfig.resolve(configDir, cfg.data().train()));
        int seq = cfg.data().seqLen();
        int trainEnd = train.size();
        int[] valTokens;
        int valStart;
        int valEnd;
        if (cfg.data().validation() != null) {
            TokenShard val = TokenShard.read(TrainConfig.resolve(configDir, cfg.data().validation()));
            if (val.vocabSize() != train.vocabSize()) {
                throw new NuriException("validation shard vocabulary " + val.vocabSize() + " differs from the training shard's "
                        + train.vocabSize());
            }
            valTokens = val.ids();
            valStart = 0;
            valEnd = val.size();
        } else {
            int valCount = (int) Math.round(train.size() * cfg.data().valFraction());
            trainEnd = train.size() - valCount;
            valTokens = train.ids();
            valStart = trainEnd;
            valEnd = train.size();
        }
        boolean validate = cfg.evalEvery() > 0 && cfg.evalBatches() > 0 && valEnd - valStart > seq;
        Path tokenizer = cfg.data().tokenizer() != null ? TrainConfig.resolve(configDir, cfg.data().tokenizer()) : null;
        if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
            throw new NuriException("data.tokenizer " + tokenizer + " does not exist");
        }

        LlamaShape shape = cfg.shape(train.vocabSize());
        Integer bos = cfg.model().bosTokenId();
        Integer eos = cfg.model().eosTokenId();
        if (tokenizer != null && (bos == null || eos == null)) {
            // take the special ids the tokenizer declares, so the checkpoint's config.json names them
            Tokenizer tok = Tokenizers.load(tokenizer);
            if (bos == null && tok.bosId() >= 0) {
                bos = tok.bosId();
            }
            if (eos == null && !tok.eosIds().isEmpty()) {
                eos = tok.eosIds().stream().mapToInt(Integer::intValue).min().getAsInt();
            }
        }
        ObjectNode configJson = HfLlamaFolder.configJson(shape, bos, eos, cfg.model().initializerRange());
        Checkpoints checkpoints = new Checkpoints(out);
        int batch = cfg.batchSize();
        try (Parallel par = Parallel.of(cfg.threads())) {
            TrainableLlama model = new TrainableLlama(shape, par);
            Optimizer optimizer = optimizer(model);
            WindowSampler sampler = new WindowSampler(train.ids(), 0, trainEnd, seq, cfg.seed());
            long step = 0;
            Path latest = checkpoints.latest();
            if (resume) {
                if (latest == null) {
                    throw new NuriException("--resume: " + out + " has no checkpoint to resume from");
                }
                Checkpoints.State st = Checkpoints.load(latest, model, optimizer);
                step = st.step();
                sampler.seek(st.epoch(), st.windowIndex());
                truncateLog(out.resolve("train_log.jsonl"), step);
            } else {
                if (latest != null) {
                    throw new NuriException(out + " already holds checkpoints; pass --resume to continue that run or choose another 'out'");
                }
                model.initialize(cfg.seed(), cfg.model().initializerRange());
                Files.createDirectories(out);
                Files.deleteIfExists(out.resolve("train_log.jsonl"));
            }
            long firstStep = step;
            LrSchedule schedule = cfg.lrSchedule();
            int[] inputs = new int[batch * seq];
            int[] targets = new int[batch * seq];
            List<Double> losses = new ArrayList<>();
            List<Double> valLosses = new ArrayList<>();
            double lastVal = Double.NaN;
            Path saved = latest;
            long tokensPerStep = (long) batch * seq * cfg.gradAccum();
            long startNanos = System.nanoTime();
            progress.start("train", cfg.steps());
            progress.update(step, "");
            try (Writer log = Files.newBufferedWriter(out.resolve("train_log.jsonl"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                while (step < cfg.steps()) {
                    long t0 = System.nanoTime();
                    double lr = schedule.at(step);
                    model.parameters().zeroGrads();
                    double loss = 0;
                    for (int micro = 0; micro < cfg.gradAccum(); micro++) {
                        sampler.next(inputs, targets, batch);
                        loss += model.forwardBackward(inputs, targets, batch, seq,
                                1f / (inputs.length * (float) cfg.gradAccum())) / inputs.length;
                    }
                    loss /= cfg.gradAccum();
                    double norm = GradClip.clip(model.parameters().grads(), cfg.clip());
                    if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                        throw new NuriException("training diverged at step " + (step + 1) + " (loss " + loss
                                + ", gradient norm " + norm + "); lower optimizer.lr or raise warmup_steps");
                    }
                    optimizer.step(model.parameters().values(), model.parameters().grads(), lr);
                    step++;
                    losses.add(loss);
                    double tps = tokensPerStep / ((System.nanoTime() - t0) / 1e9);
                    log.write(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%.9g,\"lr\":%.6g,\"grad_norm\":%.6g}%n",
                            step, loss, lr, norm));
                    if (validate && (step % cfg.evalEvery() == 0 || step == cfg.steps())) {
                        lastVal = validationLoss(model, valTokens, valStart, valEnd, seq, batch);
                        valLosses.add(lastVal);
                        log.write(String.format(Locale.ROOT, "{\"step\":%d,\"val_loss\":%.9g}%n", step, lastVal));
                    }
                    log.flush();
                    progress.update(step, String.format(Locale.ROOT, "loss %.4f%s  lr %.2e  %.0f tok/s", loss,
                            Double.isNaN(lastVal) ? "" : String.format(Locale.ROOT, "  val %.4f", lastVal), lr, tps));
                    if ((cfg.saveEvery() > 0 && step % cfg.saveEvery() == 0) || step == cfg.steps()) {
                        saved = checkpoints.save(model, optimizer,
                                new Checkpoints.State(step, sampler.epoch(), sampler.index(), optimizer.steps()),
                                configJson, tokenizer, cfg.keepCheckpoints(), beforeCheckpointCommit);
                    }
                    listener.afterStep(step, loss);
                }
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double tps = (step - firstStep) * tokensPerStep / Math.max(seconds, 1e-9);
            progress.finish(String.format(Locale.ROOT, "%d steps, %.0f tokens/s%s, saved %s", step - firstStep, tps,
                    Double.isNaN(lastVal) ? "" : String.format(Locale.ROOT, ", validation loss %.4f", lastVal), saved));
            return new Result(firstStep, losses, valLosses, lastVal, saved, tps);
        }
    }

    private Optimizer optimizer(TrainableLlama model) {
        TrainConfig.Optimizer o = cfg.optimizer();
        boolean[] mask = o.decayPolicy().mask(model.parameters());
        int n = model.parameters().count();
        return o.name().equals("sgd") ? new Sgd(n, o.momentum(), o.weightDecay(), mask)
                : new AdamW(n, o.betas().get(0), o.betas().get(1), o.eps(), o.weightDecay(), mask);
    }

    /** Mean loss over the first {@code eval_batches × batch_size} validation windows (always the same ones). */
    private double validationLoss(TrainableLlama model, int[] tokens, int start, int end, int seq, int batch) {
        WindowSampler val = new WindowSampler(tokens, start, end, seq, 0);
        int[] in = new int[batch * seq];
        int[] tg = new int[batch * seq];
        double sum = 0;
        long count = 0;
        int w = 0;
        for (int b = 0; b < cfg.evalBatches(); b++) {
            for (int r = 0; r < batch; r++) {
                val.window(w++ % val.windows(), in, tg, r);
            }
            sum += model.loss(in, tg, batch, seq);
            count += in.length;
        }
        return sum / count;
    }

    /** Drops log lines past {@code step} (they belong to the interrupted run's unsaved steps). */
    private static void truncateLog(Path log, long step) throws IOException {
        if (!Files.exists(log)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int i = line.indexOf("\"step\":");
            if (i < 0) {
                continue;
            }
            int j = i + 7;
            int k = j;
            while (k < line.length() && Character.isDigit(line.charAt(k))) {
                k++;
            }
            if (k > j && Long.parseLong(line.substring(j, k)) <= step) {
                kept.add(line);
            }
        }
        Files.write(log, kept, StandardCharsets.UTF_8);
    }
}

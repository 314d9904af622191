package dev.nuri.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nuri.NuriException;
import dev.nuri.train.model.LlamaShape;
import dev.nuri.train.optim.DecayPolicy;
import dev.nuri.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A pretraining run, read from JSON or YAML with snake_case keys (unknown keys are errors, so a typo does not
 * silently fall back to a default). Relative paths are resolved against the config file's folder.
 *
 * <pre>
 * model:     {hidden_size: 256, num_hidden_layers: 6, num_attention_heads: 8, intermediate_size: 688}
 * data:      {train: train.bin, validation: val.bin, tokenizer: tokenizer.json, seq_len: 256}
 * batch_size: 8
 * steps: 2000
 * optimizer: {name: adamw, lr: 3e-4, betas: [0.9, 0.95], weight_decay: 0.1, decay: matrices}
 * schedule:  {kind: cosine, warmup_steps: 100, min_lr: 3e-5}
 * out: runs/tiny
 * </pre>
 */
public record TrainConfig(Model model, Data data, Integer batchSize, Integer gradAccum, Integer steps,
                          Optimizer optimizer, Schedule schedule, Double clip, Integer evalEvery, Integer evalBatches,
                          Integer saveEvery, Integer keepCheckpoints, String out, Long seed, Integer threads) {

    /** Model sizes (the fields of a Hugging Face {@code LlamaConfig}). */
    public record Model(Integer vocabSize, Integer hiddenSize, Integer numHiddenLayers, Integer numAttentionHeads,
                        Integer numKeyValueHeads, Integer headDim, Integer intermediateSize,
                        Integer maxPositionEmbeddings, Double ropeTheta, Double rmsNormEps, Boolean tieWordEmbeddings,
                        Double initializerRange, Integer bosTokenId, Integer eosTokenId) {
        public Model {
            required("model.hidden_size", hiddenSize);
            required("model.num_hidden_layers", numHiddenLayers);
            required("model.num_attention_heads", numAttentionHeads);
            required("model.intermediate_size", intermediateSize);
            numKeyValueHeads = numKeyValueHeads != null ? numKeyValueHeads : numAttentionHeads;
            ropeTheta = ropeTheta != null ? ropeTheta : 10000.0;
            rmsNormEps = rmsNormEps != null ? rmsNormEps : 1e-5;
            tieWordEmbeddings = tieWordEmbeddings != null && tieWordEmbeddings;
            initializerRange = initializerRange != null ? initializerRange : 0.02;
            if (!(initializerRange > 0)) {
                throw new IllegalArgumentException("model.initializer_range must be positive, got " + initializerRange);
            }
        }
    }

    /** Token shards ({@code nuri data tokenize}) and the tokenizer copied into every checkpoint. */
    public record Data(String train, String validation, Double valFraction, String tokenizer, Integer seqLen) {
        public Data {
            required("data.train", train);
            required("data.seq_len", seqLen);
            if (seqLen <= 0) {
                throw new IllegalArgumentException("data.seq_len must be positive, got " + seqLen);
            }
            if (validation != null && valFraction != null) {
                throw new IllegalArgumentException("give data.validation or data.val_fraction, not both");
            }
            valFraction = valFraction != null ? valFraction : (validation == null ? 0.05 : 0.0);
            if (!(valFraction >= 0 && valFraction < 1)) {
                throw new IllegalArgumentException("data.val_fraction must be in [0, 1), got " + valFraction);
            }
        }
    }

    public record Optimizer(String name, Double lr, List<Double> betas, Double eps, Double weightDecay, String decay,
                            Double momentum) {
        public Optimizer {
            name = name != null ? name.toLowerCase(Locale.ROOT) : "adamw";
            if (!name.equals("adamw") && !name.equals("sgd")) {
                throw new IllegalArgumentException("optimizer.name must be adamw or sgd, got '" + name + "'");
            }
            lr = lr != null ? lr : 3e-4;
            betas = betas != null ? List.copyOf(betas) : List.of(0.9, 0.95);
            if (betas.size() != 2) {
                throw new IllegalArgumentException("optimizer.betas must have two values, got " + betas);
            }
            eps = eps != null ? eps : 1e-8;
            weightDecay = weightDecay != null ? weightDecay : (name.equals("adamw") ? 0.1 : 0.0);
            DecayPolicy.parse(decay != null ? decay : "matrices");
            decay = decay != null ? decay : "matrices";
            momentum = momentum != null ? momentum : 0.0;
        }

        public DecayPolicy decayPolicy() {
            return DecayPolicy.parse(decay);
        }
    }

    public record Schedule(String kind, Integer warmupSteps, Double minLr) {
        public Schedule {
            kind = kind != null ? kind : "cosine";
            LrSchedule.parseKind(kind);
            warmupSteps = warmupSteps != null ? warmupSteps : 0;
        }
    }

    public TrainConfig {
        required("model", model);
        required("data", data);
        required("steps", steps);
        required("out", out);
        batchSize = batchSize != null ? batchSize : 8;
        gradAccum = gradAccum != null ? gradAccum : 1;
        optimizer = optimizer != null ? optimizer : new Optimizer(null, null, null, null, null, null, null);
        schedule = schedule != null ? schedule : new Schedule(null, null, null);
        clip = clip != null ? clip : 1.0;
        evalEvery = evalEvery != null ? evalEvery : 100;
        evalBatches = evalBatches != null ? evalBatches : 4;
        saveEvery = saveEvery != null ? saveEvery : 500;
        keepCheckpoints = keepCheckpoints != null ? keepCheckpoints : 2;
        seed = seed != null ? seed : 1234L;
        threads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (steps <= 0 || batchSize <= 0 || gradAccum <= 0 || threads <= 0 || keepCheckpoints <= 0) {
            throw new IllegalArgumentException("steps, batch_size, grad_accum, threads and keep_checkpoints must be positive");
        }
        if (evalEvery < 0 || evalBatches < 0 || saveEvery < 0) {
            throw new IllegalArgumentException("eval_every, eval_batches and save_every must not be negative");
        }
        if (schedule.warmupSteps() > steps) {
            throw new IllegalArgumentException("schedule.warmup_steps (" + schedule.warmupSteps() + ") exceeds steps (" + steps + ")");
        }
    }

    /** The learning-rate schedule over {@link #steps()}. */
    public LrSchedule lrSchedule() {
        double min = schedule.minLr() != null ? schedule.minLr() : optimizer.lr() * 0.1;
        return new LrSchedule(LrSchedule.parseKind(schedule.kind()), optimizer.lr(), schedule.warmupSteps(), steps, min);
    }

    /** The model shape, with the vocabulary size taken from the data when the config leaves it out. */
    public LlamaShape shape(int dataVocab) {
        int vocab = model.vocabSize() != null ? model.vocabSize() : dataVocab;
        if (vocab < dataVocab) {
            throw new NuriException("model.vocab_size " + vocab + " is smaller than the token shard's vocabulary " + dataVocab);
        }
        int heads = model.numAttentionHeads();
        int headDim = model.headDim() != null ? model.headDim() : model.hiddenSize() / heads;
        if (model.headDim() == null && model.hiddenSize() % heads != 0) {
            throw new IllegalArgumentException("model.hidden_size " + model.hiddenSize()
                    + " is not a multiple of num_attention_heads " + heads + " (set head_dim)");
        }
        int maxPos = model.maxPositionEmbeddings() != null ? model.maxPositionEmbeddings() : data.seqLen();
        if (maxPos < data.seqLen()) {
            throw new IllegalArgumentException("data.seq_len " + data.seqLen() + " exceeds model.max_position_embeddings " + maxPos);
        }
        return new LlamaShape(vocab, model.hiddenSize(), model.numHiddenLayers(), heads, model.numKeyValueHeads(),
                headDim, model.intermediateSize(), model.ropeTheta(), model.rmsNormEps().floatValue(),
                model.tieWordEmbeddings(), maxPos);
    }

    private static void required(String key, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("training config is missing '" + key + "'");
        }
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /** Reads a {@code .json}, {@code .yaml} or {@code .yml} file. */
    public static TrainConfig read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new NuriException("training config " + file + " does not exist");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            Object tree;
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
                if (!(tree instanceof Map)) {
                    throw new NuriException("training config " + file + " is not a YAML mapping");
                }
                return mapper().convertValue(tree, TrainConfig.class);
            }
            return mapper().readValue(text, TrainConfig.class);
        } catch (IllegalArgumentException e) {
            throw new NuriException("training config " + file + ": " + rootMessage(e), e);
        } catch (JsonMappingException e) {
            throw new NuriException("training config " + file + ": " + rootMessage(e), e);
        } catch (com.fasterxml.jackson.core.JacksonException | org.yaml.snakeyaml.error.YAMLException e) {
            throw new NuriException("training config " + file + " is malformed: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "unknown key '" + u.getPropertyName() + "'";
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }

    /** Resolves a path from the config against the config file's folder. */
    public static Path resolve(Path configDir, String p) {
        Path path = Path.of(p);
        return path.isAbsolute() || configDir == null ? path : configDir.resolve(path);
    }
}

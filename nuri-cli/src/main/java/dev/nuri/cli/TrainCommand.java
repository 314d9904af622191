package dev.nuri.cli;

import dev.nuri.train.TrainConfig;
import dev.nuri.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nuri train --config run.yaml [--resume]}: pretrain a Llama-architecture model from scratch. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = {"Pretrain a Llama-architecture model from scratch on token shards (see 'nuri data tokenize').",
            "Checkpoints are Hugging Face folders (config.json, model.safetensors, tokenizer.json) under the config's",
            "'out' folder; 'out/latest' names the newest complete one."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "training config (.json, .yaml or .yml)")
    Path config;

    @Option(names = "--resume", description = "continue from the latest checkpoint in the config's 'out' folder")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = TrainConfig.read(config);
        Path dir = config.toAbsolutePath().getParent();
        Trainer.Result r = new Trainer(cfg, dir, TerminalProgress.onStderr()).run(resume);
        System.out.println(r.checkpoint());
        return 0;
    }
}

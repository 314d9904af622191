package dev.nuri.cli;

import dev.nuri.NuriException;
import dev.nuri.train.tokenizer.BpeTrainer;
import dev.nuri.train.tokenizer.TokenizerJson;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nuri tokenizer train --vocab-size N --files a.txt b.txt --out DIR}: train a byte-level BPE tokenizer. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = {"Train a byte-level BPE tokenizer (GPT-2 style) on UTF-8 text files and write tokenizer.json",
            "and tokenizer_config.json, loadable by Hugging Face tokenizers and by Nuri."})
public final class TokenizerTrainCommand implements Callable<Integer> {

    @Option(names = "--vocab-size", required = true, paramLabel = "N", description = "vocabulary size, special tokens included")
    int vocabSize;

    @Option(names = "--files", required = true, arity = "1..*", paramLabel = "FILE", description = "UTF-8 text files")
    List<Path> files;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write tokenizer.json into")
    Path out;

    @Option(names = "--min-frequency", defaultValue = "2", description = "stop merging pairs seen fewer times (default: ${DEFAULT-VALUE})")
    int minFrequency;

    @Option(names = "--special-tokens", split = ",", defaultValue = "<|endoftext|>",
            description = "comma-separated special tokens, given the first ids; the first is the end-of-text token (default: ${DEFAULT-VALUE})")
    List<String> specialTokens;

    @Override
    public Integer call() throws Exception {
        BpeTrainer trainer = new BpeTrainer(new BpeTrainer.Options(vocabSize, minFrequency, specialTokens));
        for (Path f : files) {
            trainer.feed(readUtf8(f));
        }
        BpeTrainer.TrainedBpe bpe = trainer.train(TerminalProgress.onStderr());
        Files.createDirectories(out);
        TokenizerJson.write(bpe, out, specialTokens.isEmpty() ? null : specialTokens.get(0));
        System.out.println(out.resolve("tokenizer.json") + ": " + bpe.vocab().size() + " tokens, " + bpe.merges().size() + " merges");
        return 0;
    }

    static String readUtf8(Path f) throws Exception {
        try {
            byte[] bytes = Files.readAllBytes(f);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new NuriException("no such file: " + f);
        } catch (CharacterCodingException e) {
            throw new NuriException(f + " is not valid UTF-8 text");
        }
    }
}

package dev.nuri.cli;

import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import dev.nuri.train.data.ShardBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nuri data tokenize --tokenizer DIR --out train.bin [--val-out val.bin] FILES...}: text to token shards. */
@Command(name = "tokenize",
        mixinStandardHelpOptions = true,
        description = {"Tokenize UTF-8 text files into a token shard for 'nuri train' (uint16 ids when the vocabulary",
            "allows, else uint32). Each document is followed by the end-of-text id."})
public final class DataTokenizeCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH", description = "model folder, tokenizer.json or .gguf")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "training shard to write")
    Path out;

    @Option(names = "--val-out", paramLabel = "FILE", description = "validation shard to write (the last documents)")
    Path valOut;

    @Option(names = "--val-fraction", defaultValue = "0.05", description = "fraction of documents held out with --val-out (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--paragraphs", description = "treat blank-line-separated paragraphs as documents (default: one document per file)")
    boolean paragraphs;

    @Option(names = "--end-of-text", paramLabel = "TOKEN", description = "token appended after each document (default: the tokenizer's EOS, or <|endoftext|>)")
    String endOfText;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "UTF-8 text files")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        Tokenizer tok = Tokenizers.load(tokenizer);
        int eot = endOfText == null ? ShardBuilder.endOfTextId(tok)
                : tok.id(endOfText).orElseThrow(() -> new NuriException("the tokenizer has no token '" + endOfText + "'"));
        ShardBuilder builder = new ShardBuilder(tok, eot);
        TerminalProgress progress = TerminalProgress.onStderr();
        progress.start("tokenize", files.size());
        int done = 0;
        for (Path f : files) {
            for (String doc : ShardBuilder.documents(TokenizerTrainCommand.readUtf8(f), paragraphs)) {
                builder.add(doc);
            }
            progress.update(++done, builder.tokens() + " tokens");
        }
        int[] counts = builder.write(out, valOut, valFraction);
        progress.finish(builder.documents() + " documents, " + counts[0] + " training tokens"
                + (valOut != null ? ", " + counts[1] + " validation tokens" : ""));
        return 0;
    }
}

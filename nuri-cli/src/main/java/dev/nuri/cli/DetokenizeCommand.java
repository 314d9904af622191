package dev.nuri.cli;

import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nuri detokenize}: token ids → text. */
@Command(name = "detokenize", mixinStandardHelpOptions = true,
        description = "Decode token ids back to text with a model's tokenizer.")
public final class DetokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "Model folder with tokenizer.json, a tokenizer.json file, or a .gguf file.")
    Path model;

    @Option(names = "--ids", required = true, paramLabel = "1,2,3", description = "Token ids, separated by commas.")
    String ids;

    @Option(names = "--skip-special", description = "Leave out special tokens (BOS, EOS, ...).")
    boolean skipSpecial;

    @Override
    public Integer call() {
        Tokenizer tokenizer = Tokenizers.load(model);
        int[] parsed = parseIds(ids, tokenizer.vocabSize());
        PrintWriter out = spec.commandLine().getOut();
        out.println(tokenizer.decode(parsed, skipSpecial));
        out.flush();
        return 0;
    }

    static int[] parseIds(String list, int vocabSize) {
        String trimmed = list.strip();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        if (trimmed.isBlank()) {
            return new int[0];
        }
        String[] parts = trimmed.split("[,\\s]+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new NuriException("--ids: \"" + parts[i] + "\" is not an integer");
            }
            if (out[i] < 0 || out[i] >= vocabSize) {
                throw new NuriException("--ids: " + out[i] + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
            }
        }
        return out;
    }
}

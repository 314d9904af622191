package dev.nuri.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.embed.EmbeddingModel;
import dev.nuri.embed.EmbeddingModels;
import dev.nuri.embed.Pooling;
import dev.nuri.tensor.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nuri embed}: texts to embedding vectors, with the built-in all-MiniLM-L6-v2 unless {@code --model} names another. */
@Command(name = "embed",
        mixinStandardHelpOptions = true,
        description = {"Embed texts as vectors for search and similarity.",
            "Without --model, uses the built-in all-MiniLM-L6-v2 (384 dimensions, offline).",
            "Texts longer than the model's maximum are split into windows whose embeddings are averaged."})
public final class EmbedCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "PATH",
            description = "A BERT-family model: Hugging Face folder, .onnx export (config.json and tokenizer.json beside it) or .gguf")
    Path model;

    @Option(names = "--pooling", paramLabel = "mean|cls|last",
            description = "How token states become one vector (default: the model's own, else mean)")
    String pooling;

    @Option(names = "--no-normalize", description = "Do not scale embeddings to unit length")
    boolean noNormalize;

    @Option(names = "--text", paramLabel = "TEXT", arity = "1..*", required = true, description = "Texts to embed")
    List<String> texts;

    @Option(names = "--json", description = "Print {\"model\":…,\"dim\":N,\"embeddings\":[[…],…]}")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all cores)")
    Integer threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        Pooling p = pooling == null ? null : Pooling.parse(pooling);
        try (Parallel parallel = threads == null ? Parallel.shared() : Parallel.of(threads);
             EmbeddingModel m = EmbeddingModels.open(model, new EmbeddingModels.Options(p, !noNormalize, parallel))) {
            float[][] vectors = m.embed(texts);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode root = mapper.createObjectNode();
                root.put("model", m.name());
                root.put("dim", m.dimension());
                ArrayNode all = root.putArray("embeddings");
                for (float[] v : vectors) {
                    ArrayNode row = all.addArray();
                    for (float x : v) {
                        row.add(x);
                    }
                }
                out.println(mapper.writeValueAsString(root));
            } else {
                for (int i = 0; i < vectors.length; i++) {
                    StringBuilder line = new StringBuilder();
                    for (float x : vectors[i]) {
                        line.append(line.isEmpty() ? "" : " ").append(x);
                    }
                    out.println(line);
                }
                PrintWriter err = spec.commandLine().getErr();
                err.println(m.name() + ": " + vectors.length + " embedding(s) of " + m.dimension() + " dimensions");
                err.flush();
            }
            out.flush();
        }
        return 0;
    }
}

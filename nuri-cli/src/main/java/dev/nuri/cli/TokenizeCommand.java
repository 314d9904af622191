package dev.nuri.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.Tokenizers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nuri tokenize}: text → token ids with the model's own tokenizer. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize text with a model's tokenizer (a Hugging Face folder or a .gguf file).")
public final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "Model folder with tokenizer.json, a tokenizer.json file, or a .gguf file.")
    Path model;

    @Option(names = "--text", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--input", paramLabel = "FILE.jsonl",
            description = "Tokenize many texts: one JSON string per line; one JSON result per output line, in order.")
    Path input;

    @Option(names = "--chat", paramLabel = "MESSAGES.json",
            description = "Render a conversation (a JSON array of {\"role\", \"content\"} messages) with the model's "
                    + "chat template and the generation prompt, then tokenize it; prints {\"prompt\":...,\"ids\":[...]}.")
    Path chat;

    @Option(names = "--no-special", description = "Do not add the model's special tokens (BOS/EOS/CLS/SEP).")
    boolean noSpecial;

    @Option(names = "--json", description = "Print {\"ids\":[...],\"tokens\":[...]} instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        int given = (text != null ? 1 : 0) + (input != null ? 1 : 0) + (chat != null ? 1 : 0);
        if (given != 1) {
            throw new NuriException("give exactly one of --text, --input or --chat");
        }
        Tokenizer tokenizer = Tokenizers.load(model);
        PrintWriter out = spec.commandLine().getOut();
        if (chat != null) {
            ChatPrompt prompt = ChatPrompt.render(model, tokenizer, chat);
            if (json) {
                ObjectNode node = JSON.createObjectNode();
                node.put("prompt", prompt.text());
                ArrayNode idsNode = node.putArray("ids");
                for (int id : prompt.ids()) {
                    idsNode.add(id);
                }
                out.println(JSON.writeValueAsString(node));
            } else {
                out.println(prompt.text());
                print(tokenizer, prompt.ids(), out);
            }
        } else if (text != null) {
            print(tokenizer, text, out);
        } else {
            tokenizeFile(tokenizer, out);
        }
        out.flush();
        return 0;
    }

    private void tokenizeFile(Tokenizer tokenizer, PrintWriter out) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new NuriException(input + " line " + number + ": not valid JSON");
                }
                if (node == null || !node.isTextual()) {
                    throw new NuriException(input + " line " + number + ": expected a JSON string");
                }
                try {
                    out.println(JSON.writeValueAsString(result(tokenizer, node.asText())));
                } catch (NuriException e) {
                    throw new NuriException(input + " line " + number + ": " + e.getMessage(), e);
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new NuriException(input + ": not valid UTF-8");
        }
    }

    private ObjectNode result(Tokenizer tokenizer, String s) {
        int[] ids = tokenizer.encode(s, !noSpecial);
        ObjectNode node = JSON.createObjectNode();
        ArrayNode idsNode = node.putArray("ids");
        ArrayNode tokensNode = node.putArray("tokens");
        for (int id : ids) {
            idsNode.add(id);
            tokensNode.add(tokenizer.token(id));
        }
        return node;
    }

    private void print(Tokenizer tokenizer, String s, PrintWriter out) throws IOException {
        if (json) {
            out.println(JSON.writeValueAsString(result(tokenizer, s)));
            return;
        }
        print(tokenizer, tokenizer.encode(s, !noSpecial), out);
    }

    private static void print(Tokenizer tokenizer, int[] ids, PrintWriter out) {
        out.printf("%5s  %8s  %s%n", "#", "id", "token");
        for (int i = 0; i < ids.length; i++) {
            out.printf("%5d  %8d  %s%n", i, ids[i], visible(tokenizer.token(ids[i])));
        }
        out.printf("%d tokens%n", ids.length);
    }

    /** Control characters escaped so every token is one readable line. */
    static String visible(String token) {
        StringBuilder sb = new StringBuilder();
        for (char c : token.toCharArray()) {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}

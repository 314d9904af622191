package dev.nuri.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.engine.Engine;
import dev.nuri.generate.Cancellation;
import dev.nuri.generate.GenerationListener;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.model.t5.Seq2SeqModel;
import dev.nuri.tensor.Parallel;
import dev.nuri.text.chat.ChatMessage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nuri run}: one completion (raw prompt or chat), streamed to the terminal or printed as JSON. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Generate a completion for a prompt (raw by default, through the chat template with --chat); "
                + "an encoder-decoder (T5) model answers the prompt as its input text.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A GGUF file or a Hugging Face model folder.")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt (or the user message with --chat).")
    String prompt;

    @Option(names = "--chat", description = "Wrap the prompt in the model's chat template as a user message.")
    boolean chat;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message (with --chat).")
    String system;

    @Option(names = "--json", description = "Print {\"prompt_ids\",\"ids\",\"text\",\"finish_reason\"} instead of streaming.")
    boolean json;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws Exception {
        GenerationOptions options = sampling.toOptions();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        GenerationListener listener = json ? GenerationListener.NONE : out::print;
        if (Seq2SeqModel.isSeq2Seq(model)) {
            if (chat || system != null) {
                throw new IllegalArgumentException("--chat and --system need a chat model; " + model
                        + " is an encoder-decoder (T5) model that takes a plain prompt");
            }
            try (Seq2SeqModel t5 = Seq2SeqModel.open(model, Parallel.shared())) {
                int[] promptIds = t5.tokenizer().encode(prompt, true);
                print(out, promptIds, t5.generate(promptIds, options, listener, Cancellation.none()));
            }
            return 0;
        }
        try (Engine engine = Engine.load(model)) {
            int[] promptIds;
            if (chat) {
                List<ChatMessage> messages = new ArrayList<>();
                if (system != null) {
                    messages.add(ChatMessage.system(system));
                }
                messages.add(ChatMessage.user(prompt));
                promptIds = engine.encodeChat(messages);
            } else {
                if (system != null) {
                    throw new IllegalArgumentException("--system needs --chat");
                }
                promptIds = engine.encodePrompt(prompt);
            }
            print(out, promptIds, engine.generator().generate(promptIds, options, listener, Cancellation.none()));
        }
        return 0;
    }

    /** Ends the streamed line, or prints the JSON result. */
    private void print(PrintStream out, int[] promptIds, GenerationResult result) throws Exception {
        if (!json) {
            out.println();
            return;
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode node = mapper.createObjectNode();
        node.set("prompt_ids", mapper.valueToTree(promptIds));
        node.set("ids", mapper.valueToTree(result.tokenIds()));
        node.put("text", result.text());
        node.put("finish_reason", result.finishReason().apiName());
        out.println(mapper.writeValueAsString(node));
    }
}

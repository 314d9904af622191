package dev.nuri.cli;

import dev.nuri.NuriException;
import dev.nuri.engine.Engine;
import dev.nuri.generate.Cancellation;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.text.chat.ChatMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nuri chat}: an interactive terminal chat through the model's chat template, streaming each reply. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model in the terminal. Commands: /reset, /system TEXT, /set NAME VALUE "
                + "(temperature, top_p, top_k, min_p, max_tokens, seed), /help, /exit.")
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A GGUF file or a Hugging Face model folder.")
    Path model;

    @Option(names = "--system", paramLabel = "TEXT", description = "The system message to start with.")
    String system;

    @Mixin
    SamplingOptions sampling;

    /** The options of the next reply: the flags', changed by /set (only to values that pass validation). */
    private GenerationOptions options;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        options = sampling.toOptions();
        try (Engine engine = Engine.load(model)) {
            ChatSession session = new ChatSession(engine, system);
            engine.renderChat(List.of(ChatMessage.user("hi"))); // fail now, not after the first question, if there is no template
            out.println("Chatting with " + engine.info().name() + " (" + engine.info().architecture() + "). /help for commands, /exit to quit.");
            while (true) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.equals("/exit") || line.equals("/quit")) {
                    out.println();
                    return 0;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("/")) {
                    out.println(command(line, session));
                    continue;
                }
                try {
                    ChatSession.Turn turn = session.prepare(line, options.maxNewTokens());
                    if (turn.droppedMessages() > 0) {
                        out.println("(dropped the " + turn.droppedMessages() + " oldest messages to stay within the context)");
                    }
                    GenerationResult result = engine.generator().generate(turn.promptIds(), options, out::print, Cancellation.none());
                    out.println();
                    session.answer(result.text());
                } catch (NuriException e) {
                    out.println("nuri: " + e.getMessage());
                }
            }
        }
    }

    private String command(String line, ChatSession session) {
        String[] parts = line.trim().split("\\s+", 3);
        switch (parts[0]) {
            case "/reset" -> {
                session.reset();
                return "(conversation cleared)";
            }
            case "/system" -> {
                session.setSystem(parts.length > 1 ? line.trim().substring("/system".length()).trim() : null);
                return "(system message set; conversation cleared)";
            }
            case "/set" -> {
                if (parts.length < 3) {
                    return "usage: /set NAME VALUE (temperature, top_p, top_k, min_p, max_tokens, seed)";
                }
                return set(parts[1], parts[2]);
            }
            case "/help" -> {
                return "/reset  clear the conversation\n/system TEXT  set the system message\n"
                        + "/set NAME VALUE  temperature, top_p, top_k, min_p, max_tokens, seed\n/exit  quit";
            }
            default -> {
                return "unknown command " + parts[0] + " (/help lists them)";
            }
        }
    }

    private String set(String name, String value) {
        GenerationOptions.Builder changed = options.toBuilder();
        try {
            switch (name) {
                case "temperature" -> changed.temperature(Double.parseDouble(value));
                case "top_p" -> changed.topP(Double.parseDouble(value));
                case "top_k" -> changed.topK(Integer.parseInt(value));
                case "min_p" -> changed.minP(Double.parseDouble(value));
                case "max_tokens" -> changed.maxNewTokens(Integer.parseInt(value));
                case "seed" -> changed.seed(Long.parseLong(value));
                default -> {
                    return "unknown setting " + name + " (temperature, top_p, top_k, min_p, max_tokens, seed)";
                }
            }
            options = changed.build();
            return "(" + name + " = " + value + ")";
        } catch (NumberFormatException e) {
            return "not a number: " + value;
        } catch (IllegalArgumentException | NuriException e) {
            return e.getMessage() + " (unchanged)";
        }
    }
}

package dev.nuri.cli;

import dev.nuri.generate.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Generation flags shared by {@code run} and {@code chat}; defaults follow llama.cpp's. */
final class SamplingOptions {
    @Option(names = "--max-tokens", paramLabel = "N", description = "Most new tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens = 256;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature = 0.8;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK = 40;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass; 1 = off (default: ${DEFAULT-VALUE}).")
    double topP = 0.95;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P x the top probability; 0 = off (default: ${DEFAULT-VALUE}).")
    double minP = 0.05;

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "Repetition penalty (Hugging Face semantics); 1 = off (default: ${DEFAULT-VALUE}).")
    double repeatPenalty = 1.0;

    @Option(names = "--presence-penalty", paramLabel = "P", description = "OpenAI presence penalty (default: ${DEFAULT-VALUE}).")
    double presencePenalty = 0;

    @Option(names = "--frequency-penalty", paramLabel = "P", description = "OpenAI frequency penalty (default: ${DEFAULT-VALUE}).")
    double frequencyPenalty = 0;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed for reproducible sampling.")
    Long seed;

    @Option(names = "--num-beams", paramLabel = "B", description = "Beam search with B beams (deterministic; ignores sampling flags).")
    int numBeams = 1;

    @Option(names = "--stop", paramLabel = "S", description = "Stop when the output contains S (repeatable).")
    List<String> stop = new ArrayList<>();

    GenerationOptions toOptions() {
        GenerationOptions.Builder b = GenerationOptions.builder()
                .maxNewTokens(maxTokens)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .minP(minP)
                .repetitionPenalty(repeatPenalty)
                .presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty)
                .numBeams(numBeams)
                .stopStrings(stop);
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }
}

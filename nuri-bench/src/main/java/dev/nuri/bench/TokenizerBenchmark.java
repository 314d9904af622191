package dev.nuri.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.format.gguf.GgufFile;
import dev.nuri.text.Tokenizer;
import dev.nuri.text.tokenizer.GgufVocabulary;
import dev.nuri.text.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput on a ~4 MB English + Korean text (MB/s = text megabytes × ops/s). Tokenizers: GPT-2's real
 * vocabulary (50,257 tokens, 50,000 merges) as a Hugging Face tokenizer.json pipeline and as llama.cpp's GGUF BPE,
 * and Llama 2's SentencePiece vocabulary (32,000 tokens) through llama.cpp's SPM algorithm. Needs
 * {@code ../shared/fixtures} (or {@code -Dnuri.fixtures=...}). Run:
 * {@code java --add-modules jdk.incubator.vector -jar nuri-bench/target/nuri-bench.jar TokenizerBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class TokenizerBenchmark {

    @Param({"hf-gpt2-bpe", "gguf-gpt2-bpe", "gguf-llama-spm"})
    public String tokenizer;

    private Tokenizer tok;
    private String text;
    private double megabytes;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path vocab = fixtures().resolve("vocab");
        tok = switch (tokenizer) {
            case "hf-gpt2-bpe" -> Tokenizers.load(gpt2TokenizerJson(vocab.resolve("ggml-vocab-gpt-2.gguf")));
            case "gguf-gpt2-bpe" -> Tokenizers.load(vocab.resolve("ggml-vocab-gpt-2.gguf"));
            case "gguf-llama-spm" -> Tokenizers.load(vocab.resolve("ggml-vocab-llama-spm.gguf"));
            default -> throw new IllegalArgumentException(tokenizer);
        };
        text = corpus(4 << 20);
        megabytes = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        System.out.printf("%n%s: %.2f MB of text, %d tokens%n", tokenizer, megabytes, tok.encode(text, false).length);
    }

    @Benchmark
    public int encode() {
        return tok.encode(text, false).length;
    }

    static Path fixtures() {
        String prop = System.getProperty("nuri.fixtures");
        for (Path p : new Path[] {prop == null ? null : Path.of(prop), Path.of("../shared/fixtures"),
                Path.of("../../shared/fixtures")}) {
            if (p != null && Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("fixtures not found: pass -Dnuri.fixtures=/path/to/shared/fixtures");
    }

    /** GPT-2's tokenizer.json, rebuilt from the vocabulary and merges that the GGUF fixture holds. */
    static Path gpt2TokenizerJson(Path gguf) throws IOException {
        GgufVocabulary v;
        try (GgufFile file = GgufFile.open(gguf)) {
            v = GgufVocabulary.from(file);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode added = root.putArray("added_tokens");
        added.addObject().put("id", 50256).put("content", "<|endoftext|>").put("special", true);
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocabNode = model.putObject("vocab");
        List<String> tokens = v.tokens();
        for (int i = 0; i < tokens.size(); i++) {
            vocabNode.put(tokens.get(i), i);
        }
        ArrayNode merges = model.putArray("merges");
        v.merges().forEach(merges::add);
        Path dir = Files.createTempDirectory("gpt2-tokenizer");
        json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        dir.toFile().deleteOnExit();
        dir.resolve("tokenizer.json").toFile().deleteOnExit();
        return dir;
    }

    /** About {@code bytes} of English and Korean prose, code and numbers, shuffled with a fixed seed. */
    static String corpus(int bytes) {
        String[] paragraphs = {
            "Once upon a time, a small language model learned to read. It read stories about dragons, recipes for "
                    + "bread, and the terms of service nobody else had ever finished. ",
            "The transformer architecture replaced recurrence with attention: every token looks at every other token, "
                    + "weighted by learned similarity, in parallel across the whole sequence. ",
            "대형 언어 모델은 다음 토큰을 예측하도록 학습됩니다. 한국어 문장은 조사와 어미가 풍부해서 토큰화가 "
                    + "영어보다 까다롭습니다. 오늘 서울의 날씨는 맑고 기온은 영상 12도입니다. ",
            "회사 데이터를 외부로 보내지 않고 온프레미스에서 모델을 실행하고, 미세 조정하고, 평가할 수 있습니다. ",
            "def tokenize(text):\n    return [vocab[w] for w in text.split()]  # TODO: handle unknown words\n",
            "Invoice #2024-117: 3 items, total 1,249.50 EUR, due 2026-12-31. Contact: billing@example.com. ",
        };
        Random random = new Random(42);
        StringBuilder sb = new StringBuilder(bytes);
        int size = 0;
        while (size < bytes) {
            String p = paragraphs[random.nextInt(paragraphs.length)];
            String[] words = p.split(" ");
            for (String w : words) {
                String word = random.nextInt(8) == 0 ? w + random.nextInt(1000) : w;
                sb.append(word).append(' ');
                size += word.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        return sb.toString();
    }
}

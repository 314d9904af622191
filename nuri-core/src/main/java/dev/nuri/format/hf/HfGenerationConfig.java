package dev.nuri.format.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.format.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The parts of {@code generation_config.json} that Nuri uses. Absent fields are null ({@code eosTokenIds}: empty);
 * {@code eos_token_id} may be one id or a list.
 */
public record HfGenerationConfig(List<Integer> eosTokenIds, Integer bosTokenId, Integer padTokenId,
                                 Integer decoderStartTokenId, Boolean doSample, Double temperature, Integer topK,
                                 Double topP, Double minP, Double repetitionPenalty, Integer maxNewTokens,
                                 Integer maxLength) {

    public HfGenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    public static final String FILE_NAME = "generation_config.json";

    public static HfGenerationConfig read(Path path) {
        return parse(HfJson.readObject(path), path.toString());
    }

    /** The folder's generation_config.json, if it has one. */
    public static Optional<HfGenerationConfig> readIn(Path dir) {
        Path p = dir.resolve(FILE_NAME);
        return Files.isRegularFile(p) ? Optional.of(read(p)) : Optional.empty();
    }

    public static HfGenerationConfig parse(String json, String source) {
        return parse(HfJson.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), source), source);
    }

    static HfGenerationConfig parse(ObjectNode node, String source) {
        JsonFields f = new JsonFields(node, source);
        try {
            return new HfGenerationConfig(f.intList("eos_token_id"), f.intOrNull("bos_token_id"),
                    f.intOrNull("pad_token_id"), f.intOrNull("decoder_start_token_id"), f.booleanOrNull("do_sample"),
                    f.doubleOrNull("temperature"), f.intOrNull("top_k"), f.doubleOrNull("top_p"),
                    f.doubleOrNull("min_p"), f.doubleOrNull("repetition_penalty"), f.intOrNull("max_new_tokens"),
                    f.intOrNull("max_length"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": " + e.getMessage(), e);
        }
    }
}

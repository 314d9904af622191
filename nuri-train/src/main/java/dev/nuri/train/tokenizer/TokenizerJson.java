package dev.nuri.train.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a trained byte-level BPE as Hugging Face {@code tokenizer.json} (the layout {@code tokenizers} saves for
 * GPT-2: ByteLevel pre-tokenizer with GPT-2's regex, BPE model with merges as pairs, ByteLevel decoder) plus a
 * {@code tokenizer_config.json} naming the end-of-text token.
 */
public final class TokenizerJson {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private TokenizerJson() {
    }

    public static ObjectNode toJson(BpeTrainer.TrainedBpe bpe) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : bpe.specialTokens()) {
            ObjectNode t = added.addObject();
            t.put("id", bpe.vocab().indexOf(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false, true));
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        post.putArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        post.putObject("special_tokens");
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (Map.Entry<String, Integer> e : bpe.vocabMap().entrySet()) {
            vocab.put(e.getKey(), e.getValue());
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] m : bpe.merges()) {
            merges.addArray().add(m[0]).add(m[1]);
        }
        return root;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public static void write(BpeTrainer.TrainedBpe bpe, Path dir, String endOfText) throws IOException {
        AtomicFiles.write(dir.resolve("tokenizer.json"),
                JSON.writeValueAsString(toJson(bpe)).getBytes(StandardCharsets.UTF_8));
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        if (endOfText != null) {
            cfg.put("bos_token", endOfText);
            cfg.put("eos_token", endOfText);
        }
        cfg.put("clean_up_tokenization_spaces", false);
        AtomicFiles.write(dir.resolve("tokenizer_config.json"),
                JSON.writeValueAsString(cfg).getBytes(StandardCharsets.UTF_8));
    }
}

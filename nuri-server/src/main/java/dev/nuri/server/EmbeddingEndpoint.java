package dev.nuri.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.embed.BertEmbeddingModel;
import dev.nuri.embed.DefaultEmbeddingModel;
import dev.nuri.embed.EmbeddingModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings} with Nuri's default embedding model (all-MiniLM-L6-v2, loaded on first use): {@code input}
 * is a string or an array of strings; {@code encoding_format} "float" (default) or "base64" (little-endian float32,
 * as OpenAI sends it). Embeddings run on the request's own thread, beside the decode scheduler.
 */
final class EmbeddingEndpoint implements AutoCloseable {
    /** OpenAI accepts at most 2048 inputs per request. */
    static final int MAX_INPUTS = 2048;

    private final ObjectMapper mapper;
    private volatile BertEmbeddingModel model;

    EmbeddingEndpoint(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    String modelId() {
        return DefaultEmbeddingModel.NAME;
    }

    byte[] embed(JsonNode body) throws Exception {
        JsonNode modelNode = body.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.asText().equals(modelId())) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found", "The embedding model '"
                    + modelNode.asText() + "' does not exist; this server embeds with '" + modelId() + "'", 0);
        }
        if (body.hasNonNull("dimensions")) {
            throw ApiException.unsupported("dimensions", "'dimensions' is not supported: " + modelId()
                    + " returns " + DefaultEmbeddingModel.CONFIG.hiddenSize() + " values");
        }
        String format = body.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid("encoding_format", "'encoding_format' must be \"float\" or \"base64\", got " + format);
        }
        List<String> texts = inputs(body.get("input"));
        BertEmbeddingModel.Embeddings embeddings = model().embedCounting(texts);
        float[][] vectors = embeddings.vectors();
        int tokens = embeddings.tokens();
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < vectors.length; i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (format.equals("base64")) {
                ByteBuffer buf = ByteBuffer.allocate(vectors[i].length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : vectors[i]) {
                    buf.putFloat(v);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vectors[i]) {
                    values.add(v);
                }
            }
        }
        root.put("model", modelId());
        root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return mapper.writeValueAsBytes(root);
    }

    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.invalid("input", "'input' is required: a string or an array of strings");
        }
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw ApiException.unsupported("input", "'input' must be a string or an array of strings "
                            + "(token-id inputs are not supported)");
                }
                texts.add(item.asText());
            }
        } else {
            throw ApiException.invalid("input", "'input' must be a string or a non-empty array of strings");
        }
        if (texts.size() > MAX_INPUTS) {
            throw ApiException.invalid("input", "'input' holds at most " + MAX_INPUTS + " items, got " + texts.size());
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isEmpty()) {
                throw ApiException.invalid("input", "'input' item " + i + " is empty");
            }
        }
        return texts;
    }

    private BertEmbeddingModel model() {
        BertEmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    model = EmbeddingModels.openDefault(EmbeddingModels.Options.defaults());
                }
                m = model;
            }
        }
        return m;
    }

    @Override
    public synchronized void close() {
        if (model != null) {
            model.close();
        }
    }
}

package dev.nuri.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Just enough of a safetensors reader for the decoding fixture (F32 and I64 tensors), until
 * dev.nuri.format.safetensors.SafetensorsFile is in main.
 */
final class TestSafetensors {
    private final JsonNode header;
    private final ByteBuffer data;

    TestSafetensors(Path file) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(all.getLong(0));
        byte[] json = new byte[headerLength];
        all.get(8, json);
        header = new ObjectMapper().readTree(json);
        data = all.slice(8 + headerLength, all.capacity() - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
    }

    float[] f32(String name) {
        JsonNode t = tensor(name, "F32");
        int begin = t.get("data_offsets").get(0).asInt();
        int end = t.get("data_offsets").get(1).asInt();
        float[] out = new float[(end - begin) / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getFloat(begin + 4 * i);
        }
        return out;
    }

    int[] i64AsInt(String name) {
        JsonNode t = tensor(name, "I64");
        int begin = t.get("data_offsets").get(0).asInt();
        int end = t.get("data_offsets").get(1).asInt();
        int[] out = new int[(end - begin) / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(data.getLong(begin + 8 * i));
        }
        return out;
    }

    private JsonNode tensor(String name, String dtype) {
        JsonNode t = header.get(name);
        if (t == null || !dtype.equals(t.get("dtype").asText())) {
            throw new IllegalArgumentException("no " + dtype + " tensor " + name + " in the fixture");
        }
        return t;
    }
}

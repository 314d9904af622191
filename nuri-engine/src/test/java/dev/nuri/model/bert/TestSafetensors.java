package dev.nuri.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the reference fixtures' safetensors files into heap tensors (test data only; models use the real reader). */
public final class TestSafetensors {
    private TestSafetensors() {
    }

    public static Map<String, Tensor> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode info = e.getValue();
            DType type = switch (info.get("dtype").asText()) {
                case "F32" -> DType.F32;
                case "I64" -> DType.I64;
                default -> throw new IllegalStateException(info.get("dtype").asText());
            };
            long[] shape = new long[info.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.get("shape").get(i).asLong();
            }
            long begin = info.get("data_offsets").get(0).asLong() + 8 + headerLen;
            long end = info.get("data_offsets").get(1).asLong() + 8 + headerLen;
            out.put(e.getKey(), new Tensor(e.getKey(), type, shape, seg.asSlice(begin, end - begin)));
        }
        return out;
    }

    public static WeightLookup lookup(Path file) throws IOException {
        Map<String, Tensor> m = read(file);
        return new WeightLookup(file.toString(), m::get, m::containsKey);
    }

    public static float[] floats(Tensor t) {
        float[] out = new float[Math.toIntExact(t.elementCount())];
        MemorySegment.copy(t.data(), ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, out, 0, out.length);
        return out;
    }

    public static long[] longs(Tensor t) {
        long[] out = new long[Math.toIntExact(t.elementCount())];
        MemorySegment.copy(t.data(), ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, out, 0, out.length);
        return out;
    }
}

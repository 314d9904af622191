package dev.nuri.model.bert;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.onnx.OnnxFile;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OnnxBertLoaderTest {

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void bytes(ByteArrayOutputStream o, int field, byte[] b) {
        varint(o, (long) field << 3 | 2);
        varint(o, b.length);
        o.writeBytes(b);
    }

    private static byte[] str(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A model whose graph holds one node of {@code op} and no initializers. */
    private static OnnxFile modelWith(String op) {
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        bytes(node, 1, str("x"));
        bytes(node, 2, str("y"));
        bytes(node, 4, str(op));
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        bytes(graph, 1, node.toByteArray());
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        varint(model, 1 << 3);
        varint(model, 8);
        bytes(model, 7, graph.toByteArray());
        return OnnxFile.parse(MemorySegment.ofArray(model.toByteArray()), "m.onnx");
    }

    @Test
    void quantizedAndNonBertGraphsAreRefusedClearly() {
        ModelFormatException q = assertThrows(ModelFormatException.class,
                () -> OnnxBertLoader.load(modelWith("MatMulInteger"), RandomBert.CONFIG, "q"));
        assertTrue(q.getMessage().contains("quantized ONNX export"), q.getMessage());
        ModelFormatException other = assertThrows(ModelFormatException.class,
                () -> OnnxBertLoader.load(modelWith("Relu"), RandomBert.CONFIG, "r"));
        assertTrue(other.getMessage().contains("m.onnx") && other.getMessage().contains("not a BERT"), other.getMessage());
    }
}

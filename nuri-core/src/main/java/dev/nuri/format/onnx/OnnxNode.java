package dev.nuri.format.onnx;

import java.util.List;

/**
 * One operator of an ONNX graph (its attributes are not kept: Nuri reads ONNX files for their weights and
 * follows the graph only to name them).
 *
 * @param name    the node name (may be empty)
 * @param opType  e.g. "MatMul", "Add"
 * @param inputs  value names consumed, in order ("" marks an omitted optional input)
 * @param outputs value names produced
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs) {
    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}

package dev.nuri.model.bert;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.onnx.OnnxFile;
import dev.nuri.format.onnx.OnnxNode;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the weights of a BERT exported to ONNX by Hugging Face's exporter (torch.onnx) into {@link BertModel}.
 * Embeddings, LayerNorms and biases keep their PyTorch names, but the exporter stores each linear weight as an
 * anonymous {@code MatMul} initializer ({@code onnx::MatMul_787}) laid out [in, out]. Each is named by following
 * the graph: MatMul(x, W) feeds an Add whose other input is the named bias {@code P.bias}, so W is
 * {@code P.weight}; it is transposed once to PyTorch's [out, in] (the only weights copied to the heap).
 */
public final class OnnxBertLoader {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private OnnxBertLoader() {
    }

    public static BertModel load(OnnxFile onnx, BertConfig config, String name) {
        for (OnnxNode node : onnx.nodes()) {
            if (node.opType().equals("MatMulInteger") || node.opType().equals("DynamicQuantizeLinear")
                    || node.opType().equals("QLinearMatMul") || node.opType().equals("MatMulNBits")) {
                throw new ModelFormatException(onnx.source() + ": a quantized ONNX export (" + node.opType()
                        + " nodes); Nuri reads float32 BERT exports only");
            }
        }
        Map<String, Tensor> weights = new HashMap<>(onnx.initializers());
        Map<String, OnnxNode> consumerOf = new HashMap<>();
        for (OnnxNode node : onnx.nodes()) {
            for (String in : node.inputs()) {
                consumerOf.putIfAbsent(in, node);
            }
        }
        for (OnnxNode node : onnx.nodes()) {
            if (!node.opType().equals("MatMul") || node.inputs().size() != 2 || node.outputs().size() != 1) {
                continue;
            }
            Tensor w = onnx.initializers().get(node.inputs().get(1));
            if (w == null) {
                continue;
            }
            OnnxNode add = consumerOf.get(node.outputs().get(0));
            if (add == null || !add.opType().equals("Add") || add.inputs().size() != 2) {
                continue;
            }
            List<String> addIn = add.inputs();
            String bias = addIn.get(0).equals(node.outputs().get(0)) ? addIn.get(1) : addIn.get(0);
            if (!bias.endsWith(".bias") || !onnx.initializers().containsKey(bias)) {
                continue;
            }
            String weightName = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            if (weights.containsKey(weightName)) {
                throw new ModelFormatException(onnx.source() + ": two MatMul weights lead to bias '" + bias + "'");
            }
            weights.put(weightName, transposed(w, weightName, onnx.source()));
        }
        if (weights.size() == onnx.initializers().size()) {
            throw new ModelFormatException(onnx.source() + ": no MatMul → Add(bias) pairs with named biases: not a BERT"
                    + " exported from PyTorch (initializers: " + onnx.initializers().size() + ", nodes: " + onnx.nodes().size() + ")");
        }
        WeightLookup lookup = new WeightLookup(onnx.source(), weights::get, weights::containsKey);
        return BertModel.fromHfNames(name, config, lookup);
    }

    /** [in, out] → [out, in] as a heap F32 tensor named {@code name}. */
    private static Tensor transposed(Tensor w, String name, String source) {
        if (w.dtype() != DType.F32 || w.rank() != 2) {
            throw new ModelFormatException(source + ": MatMul weight '" + w.name() + "' (for " + name + ") is " + w
                    + "; Nuri reads F32 [in, out] matrices from ONNX files");
        }
        int in = Math.toIntExact(w.dim(0));
        int out = Math.toIntExact(w.dim(1));
        float[] src = new float[Math.multiplyExact(in, out)];
        MemorySegment.copy(w.data(), LE_FLOAT, 0, src, 0, src.length);
        float[] dst = new float[src.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                dst[o * in + i] = src[i * out + o];
            }
        }
        return new Tensor(name, DType.F32, new long[] {out, in}, MemorySegment.ofArray(dst));
    }
}

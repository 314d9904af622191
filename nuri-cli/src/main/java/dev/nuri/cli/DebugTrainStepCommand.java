package dev.nuri.cli;

import dev.nuri.NuriException;
import dev.nuri.format.safetensors.SafetensorsFile;
import dev.nuri.format.safetensors.SafetensorsTensorInfo;
import dev.nuri.format.safetensors.SafetensorsWriter;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.train.HfLlamaFolder;
import dev.nuri.train.TrainStep;
import dev.nuri.train.model.LlamaShape;
import dev.nuri.train.model.Parameters;
import dev.nuri.train.model.TrainableLlama;
import dev.nuri.train.optim.AdamW;
import dev.nuri.train.optim.DecayPolicy;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nuri debug train-step}: one training step on a Hugging Face Llama folder, written in the layout of
 * {@code fixtures/hf/llama-train-step} ({@code loss}, {@code grad.<param>} before clipping, {@code param_after.<param>}).
 * The defaults reproduce PyTorch's {@code AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)}
 * after {@code clip_grad_norm_(1.0)}.
 */
@Command(name = "train-step",
        mixinStandardHelpOptions = true,
        description = "Run one clip + AdamW training step and dump loss, gradients and updated parameters.")
public final class DebugTrainStepCommand implements Callable<Integer> {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face Llama folder (config.json + model.safetensors, F32)")
    Path model;

    @Option(names = "--batch", required = true, paramLabel = "FILE", description = "safetensors with input_ids [B,T] and labels [B,T] (I64 or I32; -100 = masked)")
    Path batch;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "safetensors to write")
    Path out;

    @Option(names = "--lr", defaultValue = "1e-3")
    double lr;

    @Option(names = "--betas", defaultValue = "0.9,0.95", split = ",")
    List<Double> betas;

    @Option(names = "--eps", defaultValue = "1e-8")
    double eps;

    @Option(names = "--weight-decay", defaultValue = "0.1")
    double weightDecay;

    @Option(names = "--decay", defaultValue = "all", description = "all (PyTorch over model.parameters()) or matrices (norms excluded); default ${DEFAULT-VALUE}")
    String decay;

    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient norm limit; 0 disables")
    double clip;

    @Option(names = "--threads", defaultValue = "1")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (betas.size() != 2) {
            throw new IllegalArgumentException("--betas needs two values, e.g. 0.9,0.95");
        }
        DecayPolicy policy = DecayPolicy.parse(decay);
        LlamaShape shape = HfLlamaFolder.readShape(model.resolve("config.json"));
        try (Parallel par = Parallel.of(threads)) {
            TrainableLlama llama = new TrainableLlama(shape, par);
            HfLlamaFolder.readWeights(model.resolve("model.safetensors"), llama.parameters());
            int[] ids;
            int[] labels;
            long[] dims;
            try (SafetensorsFile st = SafetensorsFile.open(batch)) {
                dims = st.has("input_ids") ? st.tensorInfo("input_ids").shape() : null;
                if (dims == null || dims.length != 2) {
                    throw new NuriException(batch + " needs a 2-D tensor 'input_ids' [batch, seq]");
                }
                ids = readIds(st, "input_ids");
                labels = st.has("labels") ? readIds(st, "labels") : ids.clone();
                if (labels.length != ids.length) {
                    throw new NuriException(batch + ": 'labels' has " + labels.length + " elements, 'input_ids' " + ids.length);
                }
            }
            Parameters params = llama.parameters();
            AdamW adamw = new AdamW(params.count(), betas.get(0), betas.get(1), eps, weightDecay, policy.mask(params));
            params.zeroGrads();
            double loss = TrainStep.accumulate(llama, ids, labels, (int) dims[0], (int) dims[1], 1);
            float[] grads = params.grads().clone();
            TrainStep.Result r = TrainStep.finish(llama, adamw, loss, lr, clip, 0);
            SafetensorsWriter w = new SafetensorsWriter().metadata(Map.of("format", "pt"));
            w.add("loss", DType.F32, new long[] {1}, floats(new float[] {(float) loss}, 0, 1));
            for (Parameters.Param p : params.list()) {
                long[] shapeL = new long[p.shape().length];
                for (int i = 0; i < shapeL.length; i++) {
                    shapeL[i] = p.shape()[i];
                }
                w.add("grad." + p.name(), DType.F32, shapeL, floats(grads, p.offset(), p.size()));
                w.add("param_after." + p.name(), DType.F32, shapeL, floats(params.values(), p.offset(), p.size()));
            }
            w.write(out);
            System.out.printf("loss %.7f, gradient norm %.6f; wrote %s%n", loss, r.gradNorm(), out);
        }
        return 0;
    }

    private int[] readIds(SafetensorsFile st, String name) {
        SafetensorsTensorInfo info = st.tensorInfo(name);
        MemorySegment seg = st.tensorData(name);
        int n = Math.toIntExact(Math.multiplyExact(info.shape().length == 0 ? 1 : info.shape()[0],
                info.shape().length > 1 ? info.shape()[1] : 1));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = switch (info.dtype()) {
                case "I64" -> seg.get(I64, 8L * i);
                case "I32" -> seg.get(I32, 4L * i);
                default -> throw new NuriException("tensor '" + name + "' in " + batch + " is " + info.dtype() + "; expected I64 or I32");
            };
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new NuriException("tensor '" + name + "' in " + batch + " holds " + v + ", not a token id");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private static MemorySegment floats(float[] data, int offset, int size) {
        MemorySegment seg = MemorySegment.ofArray(new byte[size * 4]);
        MemorySegment.copy(data, offset, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, size);
        return seg;
    }
}

package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Plain little-endian float32 weights. */
final class F32Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F32Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        long base = (long) row * cols * Float.BYTES;
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        int upper = S.loopBound(cols);
        for (; j < upper; j += S.length()) {
            FloatVector w = FloatVector.fromMemorySegment(S, data, base + (long) j * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            acc = w.fma(FloatVector.fromArray(S, x, xOffset + j), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < cols; j++) {
            sum += data.get(LE_FLOAT, base + (long) j * Float.BYTES) * x[xOffset + j];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        long base = (long) row * cols * Float.BYTES;
        for (int j = 0; j < cols; j++) {
            out[outOffset + j] = data.get(LE_FLOAT, base + (long) j * Float.BYTES);
        }
    }
}

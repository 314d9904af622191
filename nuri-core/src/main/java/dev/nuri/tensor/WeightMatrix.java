package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix {@code [rows][cols]}, row-major, in one storage format, viewed over bytes without a copy.
 * Each storage format is its own subclass that owns its dot product, so a mat-vec dispatches once per row
 * and the inner loop runs directly on the (quantized) blocks. Activations are plain {@code float[]}.
 *
 * <p>Conventions: {@code y = W·x}; {@code x} has {@code cols} values, {@code y} has {@code rows}.
 * Batched forms hold {@code n} vectors back to back ({@code x[t*cols + j]}, {@code y[t*rows + i]}).
 * Results are independent of the thread count and of {@code n}: each output is one row's dot product computed
 * in a fixed order.
 */
public abstract class WeightMatrix {
    protected final String name;
    protected final int rows;
    protected final int cols;
    protected final MemorySegment data;

    protected WeightMatrix(String name, int rows, int cols, MemorySegment data) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** A matrix view over a 2-D tensor (or a 1-D tensor as a single row). */
    public static WeightMatrix of(Tensor t) {
        if (t.rank() < 1 || t.rank() > 2) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has rank " + t.rank() + "; a weight matrix needs rank 1 or 2");
        }
        long rows = t.rank() == 2 ? t.dim(0) : 1;
        long cols = t.dim(-1);
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is too large for a weight matrix: " + t);
        }
        return of(t.name(), t.dtype(), (int) rows, (int) cols, t.data());
    }

    public static WeightMatrix of(String name, DType type, int rows, int cols, MemorySegment data) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + cols + " values are not a whole number of "
                    + type + " blocks (" + type.blockSize() + " values each)");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': negative shape " + rows + "x" + cols);
        }
        long expected = type.bytesFor((long) rows * cols);
        if (expected != data.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + type + "[" + rows + "x" + cols + "] needs "
                    + expected + " bytes but the view holds " + data.byteSize());
        }
        return switch (type) {
            case F32 -> new F32Matrix(name, rows, cols, data);
            case F16 -> new F16Matrix(name, rows, cols, data);
            case BF16 -> new BF16Matrix(name, rows, cols, data);
            case Q8_0 -> new Q8_0Matrix(name, rows, cols, data);
            case Q4_0 -> new Q4_0Matrix(name, rows, cols, data);
            case Q4_1 -> new Q4_1Matrix(name, rows, cols, data);
            case Q5_0 -> new Q5_0Matrix(name, rows, cols, data);
            case Q5_1 -> new Q5_1Matrix(name, rows, cols, data);
            case Q2_K -> new Q2_KMatrix(name, rows, cols, data);
            case Q3_K -> new Q3_KMatrix(name, rows, cols, data);
            case Q4_K -> new Q4_KMatrix(name, rows, cols, data);
            case Q5_K -> new Q5_KMatrix(name, rows, cols, data);
            case Q6_K -> new Q6_KMatrix(name, rows, cols, data);
            case Q8_K -> new Q8_KMatrix(name, rows, cols, data);
            default -> throw new UnsupportedOperationException("tensor '" + name + "': Nuri cannot compute with " + type
                    + " weights (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K)");
        };
    }

    /** Bytes of one row in this matrix's storage format. */
    public long rowBytes() {
        return dtype().bytesFor(cols);
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public MemorySegment data() {
        return data;
    }

    public abstract DType dtype();

    /** The dot product of row {@code row} with {@code x[xOffset .. xOffset+cols)}. */
    public abstract float dot(int row, float[] x, int xOffset);

    /** Writes row {@code row} as floats into {@code out[outOffset .. outOffset+cols)}. */
    public abstract void dequantizeRow(int row, float[] out, int outOffset);

    /** {@code y = W·x} over all rows, split across {@code parallel}'s threads. */
    public void matvec(float[] x, float[] y, Parallel parallel) {
        checkSizes(x, 1, y);
        float[] prepared = prepare(x, 1);
        parallel.forRange(rows, ROW_TILE, (start, end) -> computeRows(start, end, x, 1, y, prepared));
    }

    /** Rows per tile in {@link #matmul}: their weights stay in L1/L2 while every token tile passes over them. */
    static final int ROW_TILE = 16;
    /** Tokens per {@link #dot4} call: each weight block is loaded and unpacked once per this many tokens. */
    static final int TOKEN_TILE = 4;

    /**
     * {@code n} mat-vecs at once: {@code y[t] = W·x[t]} for t in [0, n). Rows are split across threads; each
     * tile of {@link #ROW_TILE} rows is read from memory once and reused from cache for all tokens, and formats
     * with a {@link #dot4} kernel unpack each block once per {@link #TOKEN_TILE} tokens. The result is
     * bit-identical to {@code n} calls of {@link #matvec} (every kernel computes each token's sum in one order).
     */
    public void matmul(float[] x, int n, float[] y, Parallel parallel) {
        if (n < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': negative token count " + n);
        }
        checkSizes(x, n, y);
        float[] prepared = prepare(x, n);
        parallel.forRange(rows, ROW_TILE, (start, end) -> {
            for (int r0 = start; r0 < end; r0 += ROW_TILE) {
                computeRows(r0, Math.min(end, r0 + ROW_TILE), x, n, y, prepared);
            }
        });
    }

    /**
     * {@code y[t*rows + r] = W[r]·x[t]} for rows {@code [r0, r1)} and tokens {@code [0, n)}, with {@link #prepare}'s
     * data ({@code prepared}) where the format has some: formats with a {@link #dot4} kernel take the tokens
     * {@link #TOKEN_TILE} at a time through it and the rest through {@link #dot}.
     *
     * <p>Every format writes this loop out in its own class instead of inheriting one. C2 compiles an inherited loop
     * once for all formats, and its call into the kernel is inlined for the receivers its profile has seen; in a
     * model that mixes formats (Q4_0 layers and a Q6_K output, or a benchmark that runs F16 then Q8_0) a format
     * then ran inside code compiled around another's profile, up to 3x slower (Q8_0 mat-vec on one core:
     * 3.1 against 9.0 GB/s). In the format's own final class the receiver's exact type is known and the kernel is
     * bound without a profile.
     */
    protected abstract void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared);

    /**
     * Data derived from the {@code n} activation vectors once per {@link #matvec}/{@link #matmul} call and
     * shared by all rows, or null: the activations reordered to match how a kernel unpacks its blocks
     * ({@code Simd.sliceOrder} for Q8_0 and Q2_K to Q6_K, {@code Q4_0Matrix.fieldOrder} for Q4_0, Q4_1, Q5_0 and
     * Q5_1), and for formats with mins the sum of x over each group that shares one.
     */
    protected float[] prepare(float[] x, int n) {
        return null;
    }

    /**
     * Row {@code row}'s dot products with four consecutive vectors {@code x[xOffset + k*cols ..]}, k in [0, 4),
     * written to {@code y[yIndex + k*yStride]}. Each must equal {@link #dot} bit for bit; formats override this
     * to unpack each weight block once for the four.
     */
    protected void dot4(int row, float[] x, int xOffset, float[] y, int yIndex, int yStride) {
        for (int k = 0; k < 4; k++) {
            y[yIndex + k * yStride] = dot(row, x, xOffset + k * cols);
        }
    }

    private void checkSizes(float[] x, int n, float[] y) {
        if (x.length < (long) n * cols || y.length < (long) n * rows) {
            throw new IllegalArgumentException("tensor '" + name + "' [" + rows + "x" + cols + "]: " + n
                    + " vector(s) need x of " + (long) n * cols + " and y of " + (long) n * rows
                    + " floats, got " + x.length + " and " + y.length);
        }
    }

    /** The whole matrix as floats (for tests and small tensors; never on the inference path). */
    public float[] toFloatArray() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " " + dtype() + "[" + rows + "x" + cols + "]";
    }
}

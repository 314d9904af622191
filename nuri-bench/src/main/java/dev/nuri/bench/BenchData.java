package dev.nuri.bench;

import dev.nuri.tensor.DType;
import dev.nuri.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Synthetic weights for benchmarks: random bytes in off-heap memory, with sane values in every fp16/f32 field. */
public final class BenchData {
    private BenchData() {
    }

    /** A {@code rows x cols} matrix of {@code type} in {@code arena}, filled with random but finite values. */
    public static WeightMatrix randomMatrix(Arena arena, DType type, int rows, int cols, long seed) {
        long bytes = type.bytesFor((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i + 8 <= bytes; i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, rnd.nextLong());
        }
        for (long i = bytes & ~7L; i < bytes; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        }
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) {
                    seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (rnd.nextDouble() - 0.5));
                }
            }
            case F16, BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    float v = (float) (rnd.nextDouble() - 0.5);
                    short h = type == DType.F16 ? Float.floatToFloat16(v) : (short) (Float.floatToRawIntBits(v) >>> 16);
                    seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, i, h);
                }
            }
            default -> {
                int[] halves = switch (type) {
                    case Q8_0, Q4_0, Q5_0 -> new int[] {0};
                    case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
                    case Q6_K -> new int[] {208};
                    case Q2_K -> new int[] {80, 82};
                    case Q3_K -> new int[] {108};
                    case Q8_K -> new int[] {};
                    default -> throw new IllegalArgumentException("no benchmark data for " + type);
                };
                long blocks = bytes / type.blockBytes();
                for (long b = 0; b < blocks; b++) {
                    long bo = b * type.blockBytes();
                    for (int h : halves) {
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, bo + h, Float.floatToFloat16((float) (rnd.nextDouble() * 0.01)));
                    }
                    if (type == DType.Q8_K) {
                        seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, bo, (float) (rnd.nextDouble() * 0.01));
                    }
                }
            }
        }
        return WeightMatrix.of(type + "-bench", type, rows, cols, seg);
    }

    /** Rows of {@code cols} values giving at least {@code minBytes} of {@code type} weights. */
    public static int rowsFor(DType type, int cols, long minBytes) {
        long rowBytes = type.bytesFor(cols);
        return Math.toIntExact((minBytes + rowBytes - 1) / rowBytes);
    }

    public static float[] randomVector(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}

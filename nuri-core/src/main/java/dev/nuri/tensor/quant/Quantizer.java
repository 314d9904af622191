package dev.nuri.tensor.quant;

import dev.nuri.tensor.DType;

/**
 * Reference quantizers F32 → ggml block formats, following ggml-quants.c's {@code quantize_row_*_ref}
 * operation for operation (same scale choice, same rounding), so a file Nuri writes is what llama.cpp would
 * write. Output is the little-endian block bytes, {@code type.bytesFor(n)} long.
 */
public final class Quantizer {
    private Quantizer() {
    }

    /** The types {@link #quantize} can produce. */
    public static boolean supports(DType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_K -> true;
            default -> false;
        };
    }

    /** {@code x[off .. off+n)} in {@code type}'s storage format. */
    public static byte[] quantize(DType type, float[] x, int off, int n) {
        long bytes = type.bytesFor(n);
        if (bytes < 0) {
            throw new IllegalArgumentException(n + " values are not a whole number of " + type + " blocks of " + type.blockSize());
        }
        if (!supports(type)) {
            throw new UnsupportedOperationException("Nuri cannot quantize to " + type + " yet");
        }
        byte[] out = new byte[Math.toIntExact(bytes)];
        int blocks = n / type.blockSize();
        for (int b = 0; b < blocks; b++) {
            int xo = off + b * type.blockSize();
            int o = b * type.blockBytes();
            switch (type) {
                case F32 -> putInt(out, o, Float.floatToRawIntBits(x[xo]));
                case F16 -> putShort(out, o, Float.floatToFloat16(x[xo]));
                case BF16 -> putShort(out, o, toBf16(x[xo]));
                case Q8_0 -> q8_0(x, xo, out, o);
                case Q4_0 -> q4_0(x, xo, out, o);
                case Q4_1 -> q4_1(x, xo, out, o);
                case Q5_0 -> q5_0(x, xo, out, o);
                case Q5_1 -> q5_1(x, xo, out, o);
                case Q8_K -> q8_K(x, xo, out, o);
                default -> throw new AssertionError(type);
            }
        }
        return out;
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even; NaNs stay quiet NaNs. */
    static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** C's roundf: halves away from zero (exact in double for every float). */
    static float roundf(float v) {
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /** ggml's nearest_int: round to nearest even via the 1.5·2^23 trick (valid for |v| &lt; 2^22). */
    static int nearestInt(float v) {
        float val = v + 12582912.f;
        return (Float.floatToRawIntBits(val) & 0x007fffff) - 0x00400000;
    }

    private static void q8_0(float[] x, int xo, byte[] out, int o) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float d = amax / ((1 << 7) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        putShort(out, o, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) {
            out[o + 2 + j] = (byte) roundf(x[xo + j] * id);
        }
    }

    /** The value of largest magnitude (the first on ties), as ggml's Q4_0/Q5_0 pick it. */
    private static float signedAbsMax(float[] x, int xo) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    private static void q4_0(float[] x, int xo, byte[] out, int o) {
        float d = signedAbsMax(x, xo) / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putShort(out, o, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int xi0 = Math.min(15, (byte) (int) (x[xo + j] * id + 8.5f));
            int xi1 = Math.min(15, (byte) (int) (x[xo + 16 + j] * id + 8.5f));
            out[o + 2 + j] = (byte) (xi0 | (xi1 << 4));
        }
    }

    private static void q4_1(float[] x, int xo, byte[] out, int o) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[xo + j]);
            max = Math.max(max, x[xo + j]);
        }
        float d = (max - min) / ((1 << 4) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        putShort(out, o, Float.floatToFloat16(d));
        putShort(out, o + 2, Float.floatToFloat16(min));
        for (int j = 0; j < 16; j++) {
            int xi0 = Math.min(15, (byte) (int) ((x[xo + j] - min) * id + 0.5f));
            int xi1 = Math.min(15, (byte) (int) ((x[xo + 16 + j] - min) * id + 0.5f));
            out[o + 4 + j] = (byte) (xi0 | (xi1 << 4));
        }
    }

    private static void q5_0(float[] x, int xo, byte[] out, int o) {
        float d = signedAbsMax(x, xo) / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putShort(out, o, Float.floatToFloat16(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int xi0 = Math.min(31, (byte) (int) (x[xo + j] * id + 16.5f));
            int xi1 = Math.min(31, (byte) (int) (x[xo + 16 + j] * id + 16.5f));
            out[o + 6 + j] = (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10) >>> 4) << j;
            qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
        }
        putInt(out, o + 2, qh);
    }

    private static void q5_1(float[] x, int xo, byte[] out, int o) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[xo + j]);
            max = Math.max(max, x[xo + j]);
        }
        float d = (max - min) / ((1 << 5) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        putShort(out, o, Float.floatToFloat16(d));
        putShort(out, o + 2, Float.floatToFloat16(min));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int xi0 = ((int) ((x[xo + j] - min) * id + 0.5f)) & 0xFF;
            int xi1 = ((int) ((x[xo + 16 + j] - min) * id + 0.5f)) & 0xFF;
            out[o + 8 + j] = (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10) >>> 4) << j;
            qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
        }
        putInt(out, o + 4, qh);
    }

    private static void q8_K(float[] x, int xo, byte[] out, int o) {
        float max = 0;
        float amax = 0;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[xo + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + j];
            }
        }
        if (amax == 0) {
            return; // d = 0, qs = 0, bsums = 0 (the array is zeroed)
        }
        float iscale = -127.f / max;
        for (int j = 0; j < 256; j++) {
            out[o + 4 + j] = (byte) Math.min(127, nearestInt(iscale * x[xo + j]));
        }
        for (int j = 0; j < 16; j++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) {
                sum += out[o + 4 + 16 * j + i];
            }
            putShort(out, o + 260 + 2 * j, (short) sum);
        }
        putInt(out, o, Float.floatToRawIntBits(1 / iscale));
    }

    private static void putShort(byte[] b, int o, short v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
        b[o + 2] = (byte) (v >> 16);
        b[o + 3] = (byte) (v >> 24);
    }
}

package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml's Q2_K: super-blocks of 256 values as {@code {uint8 scales[16]; uint8 qs[64]; fp16 d; fp16 dmin}}
 * (84 bytes): sixteen sub-blocks of 16 with a 4-bit scale (low nibble) and 4-bit min (high nibble); 2-bit
 * values; value = d·sc·q − dmin·m. The dot product unpacks one super-block at a time into a small buffer
 * (never the whole row) and runs a vector dot over it.
 */
final class Q2_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 84;

    Q2_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q2_K;
    }

    @Override
    protected void computeRows(int r0, int r1, float[] x, int n, float[] y, float[] prepared) {
        int t = 0;
        for (; t + TOKEN_TILE <= n; t += TOKEN_TILE) {
            for (int r = r0; r < r1; r++) {
                dot4(r, x, t * cols, y, t * rows + r, rows);
            }
        }
        for (; t < n; t++) {
            for (int r = r0; r < r1; r++) {
                y[t * rows + r] = dot(r, x, t * cols);
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOffset) {
        float[] block = new float[256];
        long base = (long) row * (cols / 256) * BLOCK_BYTES;
        float sum = 0;
        for (int b = 0; b < cols / 256; b++) {
            dequantizeBlock(base + (long) b * BLOCK_BYTES, block, 0);
            sum += Simd.dot(block, 0, x, xOffset + b * 256, 256);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        long base = (long) row * (cols / 256) * BLOCK_BYTES;
        for (int b = 0; b < cols / 256; b++) {
            dequantizeBlock(base + (long) b * BLOCK_BYTES, out, outOffset + b * 256);
        }
    }

    private void dequantizeBlock(long bo, float[] out, int o) {
        float d = Simd.f16(data, bo + 80);
        float min = Simd.f16(data, bo + 82);
        long q = bo + 16;
        int is = 0;
        for (int n = 0; n < 256; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                int sc = KQuants.u8(data, bo + is++);
                float dl = d * (sc & 0xF);
                float ml = min * (sc >> 4);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * ((KQuants.u8(data, q + l) >> shift) & 3) - ml;
                }
                sc = KQuants.u8(data, bo + is++);
                dl = d * (sc & 0xF);
                ml = min * (sc >> 4);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * ((KQuants.u8(data, q + l + 16) >> shift) & 3) - ml;
                }
            }
        }
    }
}

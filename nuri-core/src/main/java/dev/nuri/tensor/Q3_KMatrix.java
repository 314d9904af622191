package dev.nuri.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml's Q3_K: super-blocks of 256 values as {@code {uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; fp16 d}}
 * (110 bytes): 2 low bits in qs, the third bit in hmask (a clear bit means −4), sixteen 6-bit scales biased by
 * 32; value = d·(sc − 32)·q. The dot product unpacks one super-block at a time into a small buffer (never the
 * whole row) and runs a vector dot over it.
 */
final class Q3_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 110;

    Q3_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.Q3_K;
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
        int[] scales = new int[16];
        long base = (long) row * (cols / 256) * BLOCK_BYTES;
        float sum = 0;
        for (int b = 0; b < cols / 256; b++) {
            dequantizeBlock(base + (long) b * BLOCK_BYTES, block, 0, scales);
            sum += Simd.dot(block, 0, x, xOffset + b * 256, 256);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        int[] scales = new int[16];
        long base = (long) row * (cols / 256) * BLOCK_BYTES;
        for (int b = 0; b < cols / 256; b++) {
            dequantizeBlock(base + (long) b * BLOCK_BYTES, out, outOffset + b * 256, scales);
        }
    }

    private void dequantizeBlock(long bo, float[] out, int o, int[] scales) {
        float dAll = Simd.f16(data, bo + 108);
        KQuants.q3kScales(data, bo + 96, scales);
        long q = bo + 32;
        long hm = bo;
        int m = 1;
        int is = 0;
        for (int n = 0; n < 256; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                float dl = dAll * (scales[is++] - 32);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * (((KQuants.u8(data, q + l) >> shift) & 3) - ((KQuants.u8(data, hm + l) & m) != 0 ? 0 : 4));
                }
                dl = dAll * (scales[is++] - 32);
                for (int l = 0; l < 16; l++) {
                    out[o++] = dl * (((KQuants.u8(data, q + l + 16) >> shift) & 3) - ((KQuants.u8(data, hm + l + 16) & m) != 0 ? 0 : 4));
                }
            }
        }
    }
}

package dev.nuri.model;

/**
 * Scratch activations for a forward pass over up to {@code rows} tokens (rows back to back), allocated once and
 * reused by every call. Each row carries the state and position it belongs to, so one pass can mix sequences.
 */
final class ForwardBuffers {
    final int rows;
    final DecoderState[] rowState;
    final int[] rowPosition;
    final int[] rowToken;
    final float[] x;      // residual stream  [rows][hidden]
    final float[] xb;     // normed input     [rows][hidden]
    final float[] q;      // queries          [rows][heads*headDim]
    final float[] k;      // new keys         [rows][kvHeads*headDim]
    final float[] v;      // new values       [rows][kvHeads*headDim]
    final float[] att;    // attention output [rows][heads*headDim]
    final float[] proj;   // projection out   [rows][hidden]
    final float[] gate;   // [rows][ffn]
    final float[] up;     // [rows][ffn]
    final float[] lastHidden; // [hidden]: the normed hidden state of one row, for its logits
    float[] logits;       // [rows][vocab], only when every row's logits are wanted

    ForwardBuffers(DecoderConfig c, int rows) {
        this.rows = rows;
        rowState = new DecoderState[rows];
        rowPosition = new int[rows];
        rowToken = new int[rows];
        x = new float[rows * c.hiddenSize()];
        xb = new float[rows * c.hiddenSize()];
        q = new float[rows * c.queryDim()];
        k = new float[rows * c.kvDim()];
        v = new float[rows * c.kvDim()];
        att = new float[rows * c.queryDim()];
        proj = new float[rows * c.hiddenSize()];
        gate = new float[rows * c.ffnSize()];
        up = new float[rows * c.ffnSize()];
        lastHidden = new float[c.hiddenSize()];
    }

    float[] logits(int vocab) {
        if (logits == null) {
            logits = new float[Math.multiplyExact(rows, vocab)];
        }
        return logits;
    }
}

package dev.nuri.generate;

/**
 * Keeps the {@code k} highest logits, as Hugging Face's {@code TopKLogitsWarper}: a token is removed when its logit is
 * below the k-th highest, so tokens tied with the k-th are all kept. {@code k >= vocabulary} keeps everything.
 */
public record TopK(int k) implements LogitsProcessor {
    public TopK {
        if (k < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
        }
    }

    @Override
    public void process(float[] logits, TokenHistory history) {
        if (k >= logits.length) {
            return;
        }
        float threshold = kthLargest(logits, k);
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < threshold) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** The k-th largest value, with a size-k min-heap: O(n log k). */
    static float kthLargest(float[] values, int k) {
        float[] heap = new float[k];
        int size = 0;
        for (float v : values) {
            if (size < k) {
                int i = size++;
                heap[i] = v;
                while (i > 0 && heap[(i - 1) / 2] > heap[i]) {
                    int parent = (i - 1) / 2;
                    float t = heap[parent];
                    heap[parent] = heap[i];
                    heap[i] = t;
                    i = parent;
                }
            } else if (v > heap[0]) {
                heap[0] = v;
                int i = 0;
                while (true) {
                    int l = 2 * i + 1;
                    int r = l + 1;
                    int smallest = i;
                    if (l < k && heap[l] < heap[smallest]) {
                        smallest = l;
                    }
                    if (r < k && heap[r] < heap[smallest]) {
                        smallest = r;
                    }
                    if (smallest == i) {
                        break;
                    }
                    float t = heap[smallest];
                    heap[smallest] = heap[i];
                    heap[i] = t;
                    i = smallest;
                }
            }
        }
        return heap[0];
    }
}

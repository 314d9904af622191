package dev.nuri.text.tokenizer;

/**
 * Applies BPE merges to a sequence of symbol ids: repeatedly merges the adjacent pair with the lowest rank
 * (leftmost on ties), with a binary heap of candidate merges over a doubly linked list of symbols — the algorithm of
 * Hugging Face's {@code Word::merge_all}. Merge entries are (rank, newId) packed as {@code rank << 32 | newId}.
 */
final class BpeMerger {
    static final long NO_MERGE = -1L;
    private final LongLongMap merges;

    BpeMerger(LongLongMap merges) {
        this.merges = merges;
    }

    static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    long merge(int a, int b) {
        return merges.get(pair(a, b), NO_MERGE);
    }

    /** Merges {@code symbols[0..n)} in place and returns the merged ids. */
    int[] mergeAll(int[] symbols, int n) {
        if (n < 2) {
            return java.util.Arrays.copyOf(symbols, n);
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // heap entries: rank << 32 | pos, with the target id kept beside it
        long[] heap = new long[n * 2];
        int[] heapNew = new int[n * 2];
        int size = 0;
        for (int i = 0; i + 1 < n; i++) {
            long m = merge(symbols[i], symbols[i + 1]);
            if (m != NO_MERGE) {
                if (size == heap.length) {
                    heap = java.util.Arrays.copyOf(heap, size * 2);
                    heapNew = java.util.Arrays.copyOf(heapNew, size * 2);
                }
                size = push(heap, heapNew, size, ((m >>> 32) << 32) | i, (int) m);
            }
        }
        while (size > 0) {
            long top = heap[0];
            int newId = heapNew[0];
            size = pop(heap, heapNew, size);
            int pos = (int) top;
            if (dead[pos] || next[pos] == -1) {
                continue;
            }
            int right = next[pos];
            long m = merge(symbols[pos], symbols[right]);
            if (m == NO_MERGE || (int) m != newId) {
                continue;
            }
            symbols[pos] = newId;
            dead[right] = true;
            next[pos] = next[right];
            if (next[right] != -1) {
                prev[next[right]] = pos;
            }
            if (heap.length - size < 2) {
                heap = java.util.Arrays.copyOf(heap, heap.length * 2);
                heapNew = java.util.Arrays.copyOf(heapNew, heapNew.length * 2);
            }
            if (prev[pos] >= 0) {
                int p = prev[pos];
                long pm = merge(symbols[p], symbols[pos]);
                if (pm != NO_MERGE) {
                    size = push(heap, heapNew, size, ((pm >>> 32) << 32) | p, (int) pm);
                }
            }
            if (next[pos] != -1) {
                long nm = merge(symbols[pos], symbols[next[pos]]);
                if (nm != NO_MERGE) {
                    size = push(heap, heapNew, size, ((nm >>> 32) << 32) | pos, (int) nm);
                }
            }
        }
        int count = 0;
        int[] out = new int[n];
        for (int i = 0; i != -1; i = next[i]) {
            out[count++] = symbols[i];
        }
        return java.util.Arrays.copyOf(out, count);
    }

    private static int push(long[] heap, int[] ids, int size, long key, int id) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) {
                break;
            }
            heap[i] = heap[parent];
            ids[i] = ids[parent];
            i = parent;
        }
        heap[i] = key;
        ids[i] = id;
        return size + 1;
    }

    private static int pop(long[] heap, int[] ids, int size) {
        size--;
        long key = heap[size];
        int id = ids[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= key) {
                break;
            }
            heap[i] = heap[child];
            ids[i] = ids[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = key;
            ids[i] = id;
        }
        return size;
    }
}

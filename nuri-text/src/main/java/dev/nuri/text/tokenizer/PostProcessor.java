package dev.nuri.text.tokenizer;

import java.util.List;

/** A Hugging Face {@code post_processor}, for a single sequence: adds the model's special tokens around the ids. */
public interface PostProcessor {

    int[] process(int[] ids);

    /** Leaves ids alone (ByteLevel's post-processor only adjusts offsets). */
    record Identity() implements PostProcessor {
        @Override
        public int[] process(int[] ids) {
            return ids;
        }
    }

    /** {@code single} template: a list of pieces, each either the sequence (null) or a special token's ids. */
    record Template(List<int[]> pieces) implements PostProcessor {
        @Override
        public int[] process(int[] ids) {
            IntList out = new IntList(ids.length + 4);
            for (int[] piece : pieces) {
                out.addAll(piece == null ? ids : piece);
            }
            return out.toArray();
        }
    }

    record Sequence(List<PostProcessor> processors) implements PostProcessor {
        @Override
        public int[] process(int[] ids) {
            for (PostProcessor p : processors) {
                ids = p.process(ids);
            }
            return ids;
        }
    }

    /** BertProcessing and RobertaProcessing for one sequence: {@code cls ids sep}. */
    static PostProcessor wrap(int cls, int sep) {
        java.util.ArrayList<int[]> pieces = new java.util.ArrayList<>();
        pieces.add(new int[] {cls});
        pieces.add(null);
        pieces.add(new int[] {sep});
        return new Template(pieces);
    }
}

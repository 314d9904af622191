package dev.nuri.train.optim;

import dev.nuri.train.model.Parameters;

/** Which parameters weight decay applies to. */
public enum DecayPolicy {
    /** Every parameter, as PyTorch's AdamW over {@code model.parameters()} does. */
    ALL,
    /** Only matrices and embeddings: norms and biases (one-dimensional tensors) are excluded. The usual choice. */
    MATRICES;

    /** A per-element mask over the flat parameter array: true where decay applies. */
    public boolean[] mask(Parameters params) {
        boolean[] m = new boolean[params.count()];
        for (Parameters.Param p : params.list()) {
            boolean decay = this == ALL || !p.isVector();
            java.util.Arrays.fill(m, p.offset(), p.offset() + p.size(), decay);
        }
        return m;
    }

    public static DecayPolicy parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "all" -> ALL;
            case "matrices" -> MATRICES;
            default -> throw new IllegalArgumentException("weight decay policy must be 'all' or 'matrices', got '" + s + "'");
        };
    }
}

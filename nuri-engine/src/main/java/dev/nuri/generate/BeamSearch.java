package dev.nuri.generate;

import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Beam search with the semantics of Hugging Face transformers' {@code _beam_search} (the vectorized version of
 * 4.50+, which keeps the rules of the older {@code BeamSearchScorer}):
 * <ul>
 *   <li>Each step scores every running beam's continuations: {@code log_softmax(logits)} (then the penalties of the
 *       options, applied to log-probabilities as HF applies its logits processors), plus the beam's running sum.
 *       At the first step only beam 0 is live; the others start at -1e9, as in HF.</li>
 *   <li>The best {@code max(2, 1 + number of stop ids) × numBeams} continuations over all beams are candidates. A
 *       candidate that ends with a stop id, completes a stop string or reaches the length limit "finishes"; it
 *       enters the finished pool only if it ranks among the first {@code numBeams} candidates, with score
 *       {@code sum_logprobs / generated_length ^ lengthPenalty} (the length counts the stop token). The pool keeps
 *       the best {@code numBeams}.</li>
 *   <li>The best {@code numBeams} unfinished candidates are the next running beams; each forks its parent's
 *       {@link InferenceState} (the first child reuses it).</li>
 *   <li>Stopping ({@link EarlyStopping}): TRUE stops once the pool holds {@code numBeams} hypotheses; FALSE and NEVER
 *       stop once the pool is full and the best running beam, scored at the current length (NEVER with
 *       lengthPenalty &gt; 0: at the longest possible length), is not better than the worst finished one; always at
 *       the length limit. The pool, best first, is the answer: its scores are HF's {@code sequences_scores}.</li>
 * </ul>
 * Arithmetic on scores is float, as in HF.
 */
final class BeamSearch {
    /** HF's stand-in for "impossible". */
    private static final float NEG = -1.0e9f;

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final GenerationOptions options;
    private final Set<Integer> stopIds;
    private final List<LogitsProcessor> penalties;
    private final int numBeams;
    private final int vocab;

    BeamSearch(LanguageModel model, Tokenizer tokenizer, GenerationOptions options, Set<Integer> stopIds) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.stopIds = stopIds;
        this.penalties = SamplerChain.penalties(options);
        this.numBeams = options.numBeams();
        this.vocab = model.info().vocabSize();
    }

    /** A live beam: generated ids, running sum of log-probs, its cache and the logits of its next token. */
    private record Beam(int[] tokens, float score, InferenceState state, TokenHistory history, float[] logits) {
    }

    /** A finished-pool slot (an unfilled slot has score -1e9 and is not finished). */
    private record Slot(int[] tokens, float score, boolean finished, FinishReason reason) {
    }

    /** A continuation of a beam; {@code hitsStop} when it ends there, for {@code reason}. */
    private record Candidate(int parent, int token, float score, boolean hitsStop, FinishReason reason) {
    }

    GenerationResult run(int[] prompt, int limit, GenerationListener listener, Cancellation cancellation) {
        if (cancellation.isCancelled()) {
            return result(List.of(), FinishReason.CANCELLED, prompt.length, 0, 0, listener);
        }
        long start = System.nanoTime();
        InferenceState promptState = model.newState(prompt.length + limit);
        float[] promptLogits = Generator.checked(model.forward(promptState, prompt, false).clone());
        long prefillNanos = System.nanoTime() - start;
        long decodeStart = System.nanoTime();

        TokenHistory promptHistory = penalties.isEmpty() ? null : new TokenHistory(vocab, prompt);
        Beam[] running = new Beam[numBeams];
        for (int b = 0; b < numBeams; b++) {
            running[b] = new Beam(new int[0], b == 0 ? 0f : NEG, promptState, promptHistory, promptLogits);
        }
        Slot[] pool = new Slot[numBeams];
        Arrays.fill(pool, new Slot(new int[0], NEG, false, FinishReason.LENGTH));
        int candidatesPerStep = (int) Math.min((long) Math.max(2, 1 + stopIds.size()) * numBeams,
                (long) numBeams * vocab);
        boolean improvementPossible = true;
        boolean cancelled = false;

        for (int generated = 0; ; generated++) {
            if (cancellation.isCancelled()) {
                cancelled = true;
                break;
            }
            List<Candidate> candidates = candidates(running, candidatesPerStep, generated, limit);
            Selection next = nextRunning(candidates);
            pool = updatePool(pool, candidates, running, generated + 1, improvementPossible);
            improvementPossible &= canImprove(pool, next.scores()[0], generated + 1, limit);
            boolean poolComplete = Arrays.stream(pool).allMatch(Slot::finished);
            boolean allEnded = candidates.stream().allMatch(Candidate::hitsStop);
            if (!improvementPossible || (poolComplete && options.earlyStopping() == EarlyStopping.TRUE) || allEnded) {
                break;
            }
            running = advance(running, next);
        }
        long decodeNanos = System.nanoTime() - decodeStart;

        List<BeamHypothesis> hypotheses = cancelled ? partialHypotheses(pool, running) : finishedHypotheses(pool);
        FinishReason reason = cancelled ? FinishReason.CANCELLED
                : hypotheses.isEmpty() ? FinishReason.LENGTH : hypotheses.getFirst().finishReason();
        return result(hypotheses, reason, prompt.length, prefillNanos, decodeNanos, listener);
    }

    /** The next running beams: parents, new tokens and scores. */
    private record Selection(int[] parents, int[] tokens, float[] scores) {
    }

    /** The best {@code numBeams} candidates once those that ended are pushed down by -1e9 (HF's rule), best first. */
    private Selection nextRunning(List<Candidate> candidates) {
        float[] scores = new float[candidates.size()];
        for (int c = 0; c < scores.length; c++) {
            scores[c] = candidates.get(c).score() + (candidates.get(c).hitsStop() ? NEG : 0f);
        }
        Integer[] order = bestFirst(scores);
        Selection next = new Selection(new int[numBeams], new int[numBeams], new float[numBeams]);
        for (int j = 0; j < numBeams; j++) {
            Candidate c = candidates.get(order[j]);
            next.parents()[j] = c.parent();
            next.tokens()[j] = c.token();
            next.scores()[j] = scores[order[j]];
        }
        return next;
    }

    /**
     * Merges the candidates that just ended into the pool of finished hypotheses and keeps the best
     * {@code numBeams}. As in HF, a candidate competes with score {@code sum / length^lengthPenalty} only if it ended
     * and ranks in the first {@code numBeams}, the pool is not already complete under early stopping TRUE, and
     * improvement is still possible; otherwise its score is pushed down by -1e9.
     */
    private Slot[] updatePool(Slot[] pool, List<Candidate> candidates, Beam[] running, int length,
            boolean improvementPossible) {
        boolean closed = Arrays.stream(pool).allMatch(Slot::finished) && options.earlyStopping() == EarlyStopping.TRUE;
        float denominator = (float) Math.pow(length, options.lengthPenalty());
        List<Slot> merged = new ArrayList<>(Arrays.asList(pool));
        for (int c = 0; c < candidates.size(); c++) {
            Candidate cand = candidates.get(c);
            boolean enters = cand.hitsStop() && c < numBeams;
            float score = cand.score() / denominator;
            if (closed) {
                score += NEG;
            }
            if (!improvementPossible) {
                score += NEG;
            }
            if (!enters) {
                score += NEG;
            }
            merged.add(new Slot(append(running[cand.parent()].tokens(), cand.token()), score, enters, cand.reason()));
        }
        float[] scores = new float[merged.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = merged.get(i).score();
        }
        Integer[] order = bestFirst(scores);
        Slot[] next = new Slot[numBeams];
        for (int j = 0; j < numBeams; j++) {
            next[j] = merged.get(order[j]);
        }
        return next;
    }

    /**
     * HF's early-stopping heuristic: can the best running beam (score {@code bestRunning}), normalized at the current
     * length (NEVER with a positive length penalty: at the length limit), still beat the worst finished hypothesis?
     * Always true while the pool has an empty slot.
     */
    private boolean canImprove(Slot[] pool, float bestRunning, int length, int limit) {
        boolean never = options.earlyStopping() == EarlyStopping.NEVER && options.lengthPenalty() > 0;
        float best = bestRunning / (float) Math.pow(never ? limit : length, options.lengthPenalty());
        float worst = Float.POSITIVE_INFINITY;
        for (Slot s : pool) {
            worst = Math.min(worst, s.score());
        }
        for (Slot s : pool) {
            if (best > (s.finished() ? worst : NEG)) {
                return true;
            }
        }
        return false;
    }

    /** Indices of {@code scores}, highest first; a stable sort, so the lower index wins a tie. */
    private static Integer[] bestFirst(float[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
        return order;
    }

    private List<BeamHypothesis> finishedHypotheses(Slot[] pool) {
        List<BeamHypothesis> out = new ArrayList<>();
        for (Slot s : pool) {
            if (s.finished()) {
                out.add(hypothesis(s));
            }
        }
        return out;
    }

    /**
     * After a cancel (not an HF case): the finished hypotheses and the live running beams, each normalized by its own
     * length, best first.
     */
    private List<BeamHypothesis> partialHypotheses(Slot[] pool, Beam[] running) {
        List<Slot> partial = new ArrayList<>();
        for (Slot s : pool) {
            if (s.finished()) {
                partial.add(s);
            }
        }
        for (Beam b : running) {
            if (b.score() > NEG / 2 && b.tokens().length > 0) {
                float s = b.score() / (float) Math.pow(b.tokens().length, options.lengthPenalty());
                partial.add(new Slot(b.tokens(), s, true, FinishReason.CANCELLED));
            }
        }
        partial.sort(Comparator.comparingDouble(s -> -s.score()));
        return partial.subList(0, Math.min(numBeams, partial.size())).stream().map(this::hypothesis).toList();
    }

    /** The best continuations over all running beams, best first (lower beam, then lower id, among ties). */
    private List<Candidate> candidates(Beam[] running, int count, int generated, int limit) {
        int[] bestFlat = new int[count];
        float[] bestScore = new float[count];
        int size = 0;
        Map<float[], float[]> logProbsOf = new IdentityHashMap<>();
        for (int b = 0; b < running.length; b++) {
            Beam beam = running[b];
            float[] logProbs = penalties.isEmpty() ? logProbsOf.computeIfAbsent(beam.logits(), BeamSearch::logSoftmax)
                    : penalized(beam);
            for (int t = 0; t < vocab; t++) {
                float v = logProbs[t] + beam.score();
                if (size == count && !(v > bestScore[count - 1])) {
                    continue;
                }
                int p = size < count ? size : count - 1;
                while (p > 0 && bestScore[p - 1] < v) {
                    p--;
                }
                int moved = (size < count ? size : count - 1) - p;
                System.arraycopy(bestFlat, p, bestFlat, p + 1, moved);
                System.arraycopy(bestScore, p, bestScore, p + 1, moved);
                bestFlat[p] = b * vocab + t;
                bestScore[p] = v;
                if (size < count) {
                    size++;
                }
            }
        }
        List<Candidate> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int parent = bestFlat[i] / vocab;
            int token = bestFlat[i] % vocab;
            boolean stops = stopIds.contains(token)
                    || (!options.stopStrings().isEmpty() && completesStopString(running[parent].tokens(), token));
            boolean hit = stops || generated + 1 >= limit;
            out.add(new Candidate(parent, token, bestScore[i], hit, stops ? FinishReason.STOP : FinishReason.LENGTH));
        }
        return out;
    }

    private float[] penalized(Beam beam) {
        float[] logProbs = logSoftmax(beam.logits());
        for (LogitsProcessor p : penalties) {
            p.process(logProbs, beam.history());
        }
        return logProbs;
    }

    private static float[] logSoftmax(float[] logits) {
        double[] d = Distributions.logSoftmax(logits);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private boolean completesStopString(int[] tokens, int token) {
        String text = TextStreamer.decode(tokenizer, append(tokens, token));
        return TextStreamer.findStop(text, options.stopStrings(), 0) >= 0;
    }

    /** The next running beams: fork every parent cache that feeds more than one child, then feed each new token. */
    private Beam[] advance(Beam[] running, Selection selection) {
        int[] parents = selection.parents();
        int[] tokens = selection.tokens();
        float[] scores = selection.scores();
        InferenceState[] states = new InferenceState[numBeams];
        Map<InferenceState, Boolean> claimed = new IdentityHashMap<>();
        for (int j = 0; j < numBeams; j++) {
            InferenceState parentState = running[parents[j]].state();
            if (claimed.putIfAbsent(parentState, Boolean.TRUE) == null) {
                states[j] = parentState;
            }
        }
        for (int j = 0; j < numBeams; j++) {
            if (states[j] == null) {
                states[j] = running[parents[j]].state().fork();
            }
        }
        Beam[] next = new Beam[numBeams];
        for (int j = 0; j < numBeams; j++) {
            Beam parent = running[parents[j]];
            TokenHistory history = null;
            if (parent.history() != null) {
                history = parent.history().copy();
                history.add(tokens[j]);
            }
            float[] logits = Generator.checked(model.forward(states[j], new int[] {tokens[j]}, false).clone());
            next[j] = new Beam(append(parent.tokens(), tokens[j]), scores[j], states[j], history, logits);
        }
        return next;
    }

    private BeamHypothesis hypothesis(Slot slot) {
        int[] tokens = slot.tokens();
        int textEnd = tokens.length > 0 && stopIds.contains(tokens[tokens.length - 1]) ? tokens.length - 1 : tokens.length;
        String text = TextStreamer.decode(tokenizer, Arrays.copyOf(tokens, textEnd));
        int stop = TextStreamer.findStop(text, options.stopStrings(), 0);
        if (stop >= 0) {
            text = text.substring(0, stop);
        }
        return new BeamHypothesis(tokens, text, slot.score(), slot.reason());
    }

    private GenerationResult result(List<BeamHypothesis> hypotheses, FinishReason reason, int promptTokens,
            long prefillNanos, long decodeNanos, GenerationListener listener) {
        int[] ids = hypotheses.isEmpty() ? new int[0] : hypotheses.getFirst().tokenIds();
        String text = hypotheses.isEmpty() ? "" : hypotheses.getFirst().text();
        for (int id : ids) {
            listener.onToken(id);
        }
        if (!text.isEmpty()) {
            listener.onText(text);
        }
        return new GenerationResult(ids, text, reason, List.of(), promptTokens, ids.length, prefillNanos, decodeNanos,
                hypotheses, null);
    }

    private static int[] append(int[] tokens, int token) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = token;
        return out;
    }
}

package dev.folio.inference;

import dev.folio.grammar.TokenGrammar;

/**
 * Grammar-constrained decoding: a sequence's place in its grammar's automaton, and the mask it puts on the scores. Every
 * token is one character, so the precomputed mask of the current state is exact: only characters that keep the text a
 * prefix of some match can be chosen.
 */
final class GrammarProcessor implements LogitsProcessor {

    private final TokenGrammar grammar;
    private int state;

    GrammarProcessor(TokenGrammar grammar) {
        this.grammar = grammar;
        this.state = grammar.start();
    }

    @Override
    public void apply(float[] scores, int[] tokens, int length, int promptLength) {
        boolean[] allowed = grammar.mask(state);
        for (int id = 0; id < scores.length; id++) {
            if (!allowed[id]) {
                scores[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Whether generation ends here, before choosing: the text is a full match and either nothing may follow or the model's
     * most likely next token (after the other processors) is outside the grammar.
     */
    boolean endsBefore(float[] scores) {
        return grammar.accepts(state) && (!grammar.canContinue(state) || !grammar.allows(state, TokenSampler.argmax(scores)));
    }

    /** The model's probability of leaving the grammar here: what the virtual end-of-sequence token is given. */
    float logprobOfLeaving(float[] logits) {
        float[] logprobs = TokenSampler.logSoftmax(logits);
        double outside = 0;
        for (int id = 0; id < logits.length; id++) {
            if (!grammar.allows(state, id)) {
                outside += Math.exp(logprobs[id]);
            }
        }
        return (float) Math.log(Math.min(1.0, outside));
    }

    void advance(int token) {
        state = grammar.next(state, token);
    }
}

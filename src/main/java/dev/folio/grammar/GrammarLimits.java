package dev.folio.grammar;

/**
 * Bounds on compiling a grammar, published in the server's /info. A grammar past them is refused as soon as
 * a bound is crossed, so compiling takes bounded time and memory: the automaton built from the pattern is
 * sized before it is built, and determinizing it stops at {@code maxStates}.
 *
 * @param maxPatternLength the longest regular expression accepted, in characters: the pattern given to
 *     {@link TokenGrammar#regex} and each {@code "pattern"} inside a JSON Schema
 * @param maxStates the most states determinizing over the vocabulary may build (dead ones included, before
 *     they are pruned); the automaton built before that (nondeterministic, from the pattern) may have at most
 *     {@value #NFA_STATES_PER_STATE} times as many states and {@value #NFA_TRANSITIONS_PER_STATE} times as
 *     many transitions, and take {@value #NFA_WORK_PER_STATE} times as many states and transitions to build
 */
public record GrammarLimits(int maxPatternLength, int maxStates) {

    /** The limits the server uses unless configured otherwise. */
    public static final GrammarLimits DEFAULT = new GrammarLimits(4096, 20_000);

    /** How many nondeterministic states may precede each allowed deterministic one. */
    static final int NFA_STATES_PER_STATE = 5;

    /** How many nondeterministic transitions may precede each allowed deterministic state. */
    static final int NFA_TRANSITIONS_PER_STATE = 10;

    /** How many states and transitions brics may create, copies included, per allowed deterministic state. */
    static final int NFA_WORK_PER_STATE = 50;

    /** Both bounds must be positive. */
    public GrammarLimits {
        if (maxPatternLength < 1 || maxStates < 1) {
            throw new IllegalArgumentException("grammar limits must be positive: maxPatternLength="
                    + maxPatternLength + ", maxStates=" + maxStates);
        }
    }

    /** The most states the automaton built from a pattern, before determinizing it, may have. */
    long maxNfaStates() {
        return (long) maxStates * NFA_STATES_PER_STATE;
    }

    /** The most transitions the automaton built from a pattern, before determinizing it, may have. */
    long maxNfaTransitions() {
        return (long) maxStates * NFA_TRANSITIONS_PER_STATE;
    }

    /** The most states and transitions brics may create while building that automaton, copies included. */
    long maxNfaWork() {
        return (long) maxStates * NFA_WORK_PER_STATE;
    }
}

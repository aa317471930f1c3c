package dev.folio.grammar;

/**
 * A deterministic automaton over the classes of an {@link Alphabet}: state 0 is the initial one, and
 * {@code next[state * classes + class]} is the state after a char of that class, or -1 if there is none.
 */
record Dfa(int states, int classes, int[] next, boolean[] accepting) {

    int next(int state, int charClass) {
        return next[state * classes + charClass];
    }
}

package dev.folio.grammar;

import java.util.Arrays;

/**
 * Removes every state from which no accepting state can be reached, and the transitions into them, so
 * every token a mask allows leads on to a full match: constrained decoding can never paint itself into a
 * corner. States are renumbered breadth-first from the initial one.
 */
final class DeadStates {

    private DeadStates() {}

    /** The live part of {@code dfa}, or null if the initial state itself is dead (nothing can match). */
    static Dfa prune(Dfa dfa) {
        int states = dfa.states();
        int classes = dfa.classes();
        boolean[] live = liveStates(dfa);
        if (states == 0 || !live[0]) {
            return null;
        }
        int[] renumbered = new int[states];
        Arrays.fill(renumbered, -1);
        int[] order = new int[states];
        int count = 0;
        renumbered[0] = 0;
        order[count++] = 0;
        for (int head = 0; head < count; head++) {
            CompileCancellation.check();
            int s = order[head];
            for (int c = 0; c < classes; c++) {
                int t = dfa.next(s, c);
                if (t >= 0 && live[t] && renumbered[t] < 0) {
                    renumbered[t] = count;
                    order[count++] = t;
                }
            }
        }
        int[] next = new int[count * classes];
        boolean[] accepting = new boolean[count];
        for (int n = 0; n < count; n++) {
            int s = order[n];
            accepting[n] = dfa.accepting()[s];
            for (int c = 0; c < classes; c++) {
                int t = dfa.next(s, c);
                next[n * classes + c] = t >= 0 && live[t] ? renumbered[t] : -1;
            }
        }
        return new Dfa(count, classes, next, accepting);
    }

    /** The states from which an accepting one is reachable: a backwards search from the accepting ones. */
    private static boolean[] liveStates(Dfa dfa) {
        int states = dfa.states();
        int classes = dfa.classes();
        // incoming edges in compressed rows: the sources of the edges into t are from[start[t]..start[t+1])
        int[] start = new int[states + 1];
        for (int t : dfa.next()) {
            if (t >= 0) {
                start[t + 1]++;
            }
        }
        for (int s = 0; s < states; s++) {
            start[s + 1] += start[s];
        }
        int[] from = new int[start[states]];
        int[] fill = Arrays.copyOf(start, states);
        for (int s = 0; s < states; s++) {
            for (int c = 0; c < classes; c++) {
                int t = dfa.next(s, c);
                if (t >= 0) {
                    from[fill[t]++] = s;
                }
            }
        }
        boolean[] live = new boolean[states];
        int[] queue = new int[states];
        int count = 0;
        for (int s = 0; s < states; s++) {
            if (dfa.accepting()[s]) {
                live[s] = true;
                queue[count++] = s;
            }
        }
        for (int head = 0; head < count; head++) {
            int t = queue[head];
            for (int i = start[t]; i < start[t + 1]; i++) {
                if (!live[from[i]]) {
                    live[from[i]] = true;
                    queue[count++] = from[i];
                }
            }
        }
        return live;
    }
}

package dev.folio.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Explains why nothing written with the vocabulary can match, by naming the characters the vocabulary
 * lacks on the automaton's transitions. Not every such transition: a JSON grammar has alternatives
 * (escapes, surrogate pairs, private-use chars) that no vocabulary needs. The ones named lie on a text the
 * grammar accepts that needs the fewest missing transitions (a 0-1 breadth-first search, a transition
 * costing 1 if the vocabulary has none of its chars), so adding them would make the grammar writable:
 * for a JSON object schema and a vocabulary without '{' and '"', both of those, and whatever
 * letters of the required property names are missing too.
 */
final class MissingCharacters {

    private static final int SHOWN = 10;

    private MissingCharacters() {}

    static GrammarException refusal(Nfa nfa, Alphabet alphabet) {
        int states = nfa.states();
        int[] cost = new int[states];
        Arrays.fill(cost, Integer.MAX_VALUE);
        // how each state was best reached: the source state and the transition's offset there
        int[] fromState = new int[states];
        int[] fromOffset = new int[states];
        Deque<Integer> deque = new ArrayDeque<>();
        cost[0] = 0;
        fromState[0] = -1;
        deque.add(0);
        boolean[] done = new boolean[states];
        int reached = -1;
        while (!deque.isEmpty()) {
            int s = deque.pollFirst();
            if (done[s]) {
                continue;
            }
            done[s] = true;
            if (nfa.accepting[s]) {
                reached = s;
                break;
            }
            int[] ts = nfa.transitions[s];
            for (int i = 0; i < ts.length; i += 3) {
                int step = alphabet.hasAny(ts[i], ts[i + 1]) ? 0 : 1;
                int t = ts[i + 2];
                if (cost[s] + step < cost[t]) {
                    cost[t] = cost[s] + step;
                    fromState[t] = s;
                    fromOffset[t] = i;
                    if (step == 0) {
                        deque.addFirst(t);
                    } else {
                        deque.addLast(t);
                    }
                }
            }
        }
        if (reached < 0) {
            return new GrammarException("grammar matches no text");
        }
        List<String> path = new ArrayList<>();
        for (int t = reached; fromState[t] >= 0; t = fromState[t]) {
            int[] ts = nfa.transitions[fromState[t]];
            int i = fromOffset[t];
            if (!alphabet.hasAny(ts[i], ts[i + 1])) {
                path.add(0, describe(ts[i], ts[i + 1]));
            }
        }
        Set<String> missing = new LinkedHashSet<>(path);
        List<String> named = new ArrayList<>(missing).subList(0, Math.min(SHOWN, missing.size()));
        String more = missing.size() > SHOWN ? " and " + (missing.size() - SHOWN) + " more" : "";
        return new GrammarException(
                "grammar needs characters the model's vocabulary lacks: " + String.join(", ", named) + more);
    }

    /** A char as {@code 'a' (U+0061)}, a range as {@code one of '0'-'9' (U+0030-U+0039)}; unprintable ones by code. */
    private static String describe(int min, int max) {
        if (min == max) {
            return quoted(min) + String.format("(U+%04X)", min);
        }
        boolean printable = !quoted(min).isEmpty() && !quoted(max).isEmpty();
        return "one of " + (printable ? quoted(min).strip() + "-" + quoted(max) : "")
                + String.format("(U+%04X-U+%04X)", min, max);
    }

    private static String quoted(int c) {
        boolean printable = c >= ' ' && !Character.isISOControl(c) && !Character.isSurrogate((char) c)
                && Character.getType(c) != Character.UNASSIGNED && Character.getType(c) != Character.PRIVATE_USE
                && (c == ' ' || !Character.isWhitespace(c));
        return printable ? "'" + (char) c + "' " : "";
    }
}

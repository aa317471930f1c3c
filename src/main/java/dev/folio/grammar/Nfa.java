package dev.folio.grammar;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A brics automaton flattened into arrays: states numbered from 0 (the initial one) in breadth-first order,
 * each with its transitions as char ranges. brics automata have no epsilon transitions, so a set of these
 * states is all a deterministic state needs to be.
 */
final class Nfa {

    final boolean[] accepting;
    /** Per state: min, max, destination of each transition, three ints each. */
    final int[][] transitions;

    Nfa(boolean[] accepting, int[][] transitions) {
        this.accepting = accepting;
        this.transitions = transitions;
    }

    int states() {
        return accepting.length;
    }

    /** @throws GrammarException if it has more states or transitions than the limits allow */
    static Nfa of(Automaton automaton, GrammarLimits limits) {
        Map<State, Integer> ids = new IdentityHashMap<>();
        List<State> order = new ArrayList<>();
        Deque<State> queue = new ArrayDeque<>();
        State initial = automaton.getInitialState();
        ids.put(initial, 0);
        order.add(initial);
        queue.add(initial);
        long transitionCount = 0;
        while (!queue.isEmpty()) {
            CompileCancellation.check();
            for (Transition t : queue.poll().getTransitions()) {
                transitionCount++;
                if (ids.putIfAbsent(t.getDest(), ids.size()) == null) {
                    order.add(t.getDest());
                    queue.add(t.getDest());
                }
            }
        }
        // NfaSize bounds this in advance; checked again on the real thing, which is cheap
        if (order.size() > limits.maxNfaStates() || transitionCount > limits.maxNfaTransitions()) {
            throw new GrammarException("grammar too complex: its automaton has more than " + limits.maxNfaStates()
                    + " states or " + limits.maxNfaTransitions() + " transitions before determinization");
        }
        boolean[] accepting = new boolean[order.size()];
        int[][] transitions = new int[order.size()][];
        for (int s = 0; s < order.size(); s++) {
            State state = order.get(s);
            accepting[s] = state.isAccept();
            int[] flat = new int[3 * state.getTransitions().size()];
            int i = 0;
            for (Transition t : state.getTransitions()) {
                flat[i++] = t.getMin();
                flat[i++] = t.getMax();
                flat[i++] = ids.get(t.getDest());
            }
            transitions[s] = flat;
        }
        return new Nfa(accepting, transitions);
    }
}

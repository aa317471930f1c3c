package dev.folio.grammar;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upper bound on the automaton brics builds for a {@link RegexNode} (with {@code toAutomaton(false)}),
 * computed before brics runs so a pattern that would take too much memory is refused first. brics has no
 * epsilon transitions: joining two automata copies the transitions of the second one's initial state onto
 * each accept state of the first, so transitions grow with accepts times initial out-degree, and nested
 * repetition multiplies everything. The formulas follow brics 1.12's {@code BasicOperations}.
 *
 * @param states states
 * @param transitions transitions (each a char range)
 * @param initialDegree transitions leaving the initial state
 * @param accepts accepting states
 * @param nullable whether the empty text is accepted (the initial state accepts)
 * @param work the states and transitions brics creates on the way, counting every copy: each operation
 *     clones its operands, so a big automaton nested n groups deep is copied n times
 */
record NfaSize(long states, long transitions, long initialDegree, long accepts, boolean nullable, long work) {

    /** Far beyond any budget, and far from overflowing when added or multiplied once more. */
    private static final long CAP = 1L << 40;

    private static final NfaSize EMPTY_STRING = new NfaSize(1, 0, 0, 1, true, 1);

    NfaSize {
        states = Math.min(states, CAP);
        transitions = Math.min(transitions, CAP);
        initialDegree = Math.min(initialDegree, CAP);
        accepts = Math.min(accepts, CAP);
        work = Math.min(work, CAP);
    }

    /** A size without work done yet: an intermediate result of the formulas. */
    private NfaSize(long states, long transitions, long initialDegree, long accepts, boolean nullable) {
        this(states, transitions, initialDegree, accepts, nullable, 0);
    }

    /** This size, with the work of building it: the parts' work and a copy of the result. */
    private NfaSize built(long partsWork) {
        return new NfaSize(states, transitions, initialDegree, accepts, nullable, add(partsWork, states, transitions));
    }

    /** The size of the automaton brics builds for {@code node}. */
    static NfaSize of(RegexNode node) {
        return of(node, new IdentityHashMap<>());
    }

    private static NfaSize of(RegexNode node, Map<RegexNode, NfaSize> memo) {
        NfaSize known = memo.get(node);
        if (known != null) {
            return known;
        }
        NfaSize size;
        if (node instanceof RegexNode.Literal literal) {
            int n = literal.text().length();
            size = n == 0 ? EMPTY_STRING : new NfaSize(n + 1, n, 1, 1, false).built(0);
        } else if (node instanceof RegexNode.CharClass c) {
            // one transition per range to a single accepting state (see BricsSyntax)
            int r = c.chars().rangeCount();
            size = new NfaSize(2, r, r, 1, false).built(0);
        } else if (node instanceof RegexNode.Sequence sequence) {
            List<NfaSize> parts = sizes(sequence.items(), memo);
            size = concatenation(parts).built(work(parts));
        } else if (node instanceof RegexNode.Choice choice) {
            List<NfaSize> alternatives = sizes(choice.alternatives(), memo);
            size = union(alternatives).built(work(alternatives));
        } else if (node instanceof RegexNode.Repeat repeat) {
            NfaSize body = of(repeat.body(), memo);
            // the copies are cloned once to repeat and once more to concatenate
            NfaSize repeated = repeat(body, repeat.min(), repeat.max());
            size = repeated.built(add(body.work, repeated.states, repeated.transitions));
        } else {
            RegexNode.Both both = (RegexNode.Both) node;
            NfaSize left = of(both.left(), memo);
            NfaSize right = of(both.right(), memo);
            size = intersection(left, right).built(add(left.work, right.work));
        }
        memo.put(node, size);
        return size;
    }

    private static long work(List<NfaSize> parts) {
        long work = 0;
        for (NfaSize part : parts) {
            work = add(work, part.work);
        }
        return work;
    }

    private static List<NfaSize> sizes(List<RegexNode> nodes, Map<RegexNode, NfaSize> memo) {
        List<NfaSize> sizes = new ArrayList<>(nodes.size());
        nodes.forEach(n -> sizes.add(of(n, memo)));
        return sizes;
    }

    /** {@code BasicOperations.concatenate(List)}: each part's initial transitions are copied to the accepts so far. */
    static NfaSize concatenation(List<NfaSize> parts) {
        NfaSize first = parts.get(0);
        long states = first.states;
        long transitions = first.transitions;
        long degree = first.initialDegree;
        long accepts = first.accepts;
        boolean nullable = first.nullable;
        for (NfaSize next : parts.subList(1, parts.size())) {
            if (next.states == 1 && next.transitions == 0 && next.nullable) {
                // brics skips parts that are just the empty text
                continue;
            }
            transitions = add(transitions, next.transitions, mul(accepts, next.initialDegree));
            states = add(states, next.states);
            if (nullable) {
                degree = add(degree, next.initialDegree);
            }
            accepts = next.nullable ? add(next.accepts, accepts) : next.accepts;
            nullable &= next.nullable;
        }
        return new NfaSize(states, transitions, degree, accepts, nullable);
    }

    /** {@code BasicOperations.union(Collection)}: a new initial state with the alternatives' initial transitions. */
    static NfaSize union(List<NfaSize> alternatives) {
        long states = 1;
        long transitions = 0;
        long degree = 0;
        long accepts = 0;
        boolean nullable = false;
        for (NfaSize a : alternatives) {
            states = add(states, a.states);
            transitions = add(transitions, a.transitions, a.initialDegree);
            degree = add(degree, a.initialDegree);
            accepts = add(accepts, a.accepts);
            nullable |= a.nullable;
        }
        return new NfaSize(states, transitions, degree, nullable ? accepts + 1 : accepts, nullable);
    }

    /** {@code optional()}, {@code repeat()}, {@code repeat(min)} and {@code repeat(min, max)}. */
    static NfaSize repeat(NfaSize body, int min, int max) {
        if (max == 0) {
            return EMPTY_STRING;
        }
        if (min == 0 && max == 1) {
            return new NfaSize(body.states + 1, add(body.transitions, body.initialDegree), body.initialDegree,
                    body.accepts + 1, true);
        }
        if (max == RegexNode.UNBOUNDED) {
            // a new accepting initial state; every accept state gets its transitions
            NfaSize star = new NfaSize(body.states + 1,
                    add(body.transitions, body.initialDegree, mul(body.accepts, body.initialDegree)),
                    body.initialDegree, body.accepts + 1, true);
            return min == 0 ? star : concatenation(copies(body, min, star));
        }
        NfaSize required = min == 0 ? EMPTY_STRING : min == 1 ? body : concatenation(copies(body, min, null));
        if (max == min) {
            return required;
        }
        // the optional copies are chained from the last backwards, each one's accepts leading into the next
        NfaSize chain = body;
        for (int i = 1; i < max - min; i++) {
            chain = new NfaSize(add(body.states, chain.states),
                    add(body.transitions, chain.transitions, mul(body.accepts, chain.initialDegree)),
                    body.nullable ? add(body.initialDegree, chain.initialDegree) : body.initialDegree,
                    add(body.accepts, chain.accepts), body.nullable);
        }
        return new NfaSize(add(required.states, chain.states),
                add(required.transitions, chain.transitions, mul(required.accepts, chain.initialDegree)),
                required.nullable ? add(required.initialDegree, chain.initialDegree) : required.initialDegree,
                add(required.accepts, chain.accepts), required.nullable);
    }

    private static List<NfaSize> copies(NfaSize body, int count, NfaSize last) {
        List<NfaSize> parts = new ArrayList<>(Collections.nCopies(count, body));
        if (last != null) {
            parts.add(last);
        }
        return parts;
    }

    /** {@code BasicOperations.intersection}: the product automaton, at most every pair of states. */
    static NfaSize intersection(NfaSize a, NfaSize b) {
        return new NfaSize(mul(a.states, b.states), mul(a.transitions, b.transitions),
                mul(a.initialDegree, b.initialDegree), mul(a.accepts, b.accepts), a.nullable && b.nullable);
    }

    private static long add(long... terms) {
        long sum = 0;
        for (long t : terms) {
            sum = Math.min(CAP, sum + t);
        }
        return sum;
    }

    private static long mul(long a, long b) {
        return a == 0 || b == 0 ? 0 : a > CAP / b ? CAP : Math.min(CAP, a * b);
    }
}

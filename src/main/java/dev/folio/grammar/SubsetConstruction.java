package dev.folio.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Determinizes an {@link Nfa} over the vocabulary's chars only (by class), stopping as soon as it exceeds
 * the limits. brics' own {@code determinize()} works over all of Unicode and has no cap, so a pattern like
 * {@code (a|b)*a(a|b){40}}, whose deterministic automaton has 2^41 states, would run out of memory; here
 * it is refused after {@code maxStates} states.
 */
final class SubsetConstruction {

    /** Transition steps allowed per permitted state: bounds the time of a refused construction too. */
    private static final long WORK_PER_STATE = 1_000;
    /** Nondeterministic states, summed over all subsets kept, per permitted state: bounds the memory. */
    private static final long SUBSET_INTS_PER_STATE = 200;
    /** Table entries (states times classes) per permitted state. */
    private static final long TABLE_PER_STATE = 256;

    /** A subset of nondeterministic states, sorted, as a hash key. */
    private record Subset(int[] states) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Subset other && Arrays.equals(states, other.states);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(states);
        }
    }

    private SubsetConstruction() {}

    /** @throws GrammarException "grammar too complex: ..." past the limits */
    static Dfa run(Nfa nfa, Alphabet alphabet, GrammarLimits limits) {
        int classes = alphabet.classes;
        int[][] moves = classMoves(nfa, alphabet);
        Map<Subset, Integer> ids = new HashMap<>();
        List<int[]> subsets = new ArrayList<>();
        int[] next = new int[Math.max(1, classes) * 16];
        long work = 0;
        long subsetInts = 1;
        long maxWork = limits.maxStates() * WORK_PER_STATE;
        long maxSubsetInts = limits.maxStates() * SUBSET_INTS_PER_STATE;
        long maxTable = limits.maxStates() * TABLE_PER_STATE;

        int[] initial = {0};
        ids.put(new Subset(initial), 0);
        subsets.add(initial);
        int[][] buckets = new int[classes][];
        int[] bucketSizes = new int[classes];
        // marks for removing duplicates from a bucket in linear time: mark[q] == epoch means already taken
        int[] mark = new int[nfa.states()];
        int epoch = 0;
        for (int s = 0; s < subsets.size(); s++) {
            Arrays.fill(bucketSizes, 0);
            for (int q : subsets.get(s)) {
                CompileCancellation.check();
                int[] m = moves[q];
                for (int i = 0; i < m.length; i += 3) {
                    for (int c = m[i]; c <= m[i + 1]; c++) {
                        if (buckets[c] == null) {
                            buckets[c] = new int[4];
                        } else if (bucketSizes[c] == buckets[c].length) {
                            buckets[c] = Arrays.copyOf(buckets[c], 2 * bucketSizes[c]);
                        }
                        buckets[c][bucketSizes[c]++] = m[i + 2];
                    }
                    work += m[i + 1] - m[i] + 1;
                }
                if (work > maxWork) {
                    throw tooComplex("determinizing it takes too many steps");
                }
            }
            if ((long) (s + 1) * classes > next.length) {
                next = Arrays.copyOf(next, (int) Math.min(Integer.MAX_VALUE - 8, 2L * next.length + classes));
            }
            for (int c = 0; c < classes; c++) {
                int target = -1;
                if (bucketSizes[c] > 0) {
                    int[] subset = unique(buckets[c], bucketSizes[c], mark, ++epoch);
                    Integer id = ids.get(new Subset(subset));
                    if (id == null) {
                        if (subsets.size() >= limits.maxStates()) {
                            throw tooComplex("more than " + limits.maxStates() + " automaton states");
                        }
                        subsetInts += subset.length;
                        if (subsetInts > maxSubsetInts || (long) (subsets.size() + 1) * classes > maxTable) {
                            throw tooComplex("its automaton states are too large");
                        }
                        id = subsets.size();
                        ids.put(new Subset(subset), id);
                        subsets.add(subset);
                    }
                    target = id;
                }
                next[s * classes + c] = target;
            }
        }
        boolean[] accepting = new boolean[subsets.size()];
        for (int s = 0; s < accepting.length; s++) {
            for (int q : subsets.get(s)) {
                accepting[s] |= nfa.accepting[q];
            }
        }
        return new Dfa(subsets.size(), classes, Arrays.copyOf(next, subsets.size() * classes), accepting);
    }

    /** Per nondeterministic state: first class, last class, destination of each transition the vocabulary can take. */
    private static int[][] classMoves(Nfa nfa, Alphabet alphabet) {
        int[][] moves = new int[nfa.states()][];
        for (int q = 0; q < moves.length; q++) {
            int[] ts = nfa.transitions[q];
            int[] m = new int[ts.length];
            int n = 0;
            for (int i = 0; i < ts.length; i += 3) {
                int[] range = alphabet.classRange(ts[i], ts[i + 1]);
                if (range != null) {
                    m[n++] = range[0];
                    m[n++] = range[1];
                    m[n++] = ts[i + 2];
                }
            }
            moves[q] = Arrays.copyOf(m, n);
        }
        return moves;
    }

    /** The distinct values among the first {@code size}, sorted. */
    private static int[] unique(int[] values, int size, int[] mark, int epoch) {
        int[] distinct = new int[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (mark[values[i]] != epoch) {
                mark[values[i]] = epoch;
                distinct[n++] = values[i];
            }
        }
        distinct = Arrays.copyOf(distinct, n);
        Arrays.sort(distinct);
        return distinct;
    }

    private static GrammarException tooComplex(String why) {
        return new GrammarException("grammar too complex: " + why);
    }
}

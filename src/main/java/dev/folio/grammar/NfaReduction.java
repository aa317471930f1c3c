package dev.folio.grammar;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Merges states of an {@link Nfa} that have the same future: both accepting or not, and the same
 * transitions to the same (merged) states. brics leaves many such twins: a class of four ranges is a
 * union with four accept states, and each gets a copy of whatever follows; {@code true|false} ends in two
 * {@code e} states. Left as they are, the subset construction tells the twins apart and multiplies the
 * deterministic states (a JSON string of up to 1000 chars would need several times the states it needs).
 * Merging repeats backwards from merged states until nothing changes. It only ever merges states whose
 * outgoing transitions are already identical, so it cannot see through cycles, but it is cheap and never
 * changes the language. Adjacent ranges into the same state are joined too.
 */
final class NfaReduction {

    /** Accept flag and sorted, joined transitions of a state: equal keys mean equal futures. */
    private record Signature(int[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Signature other && Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }
    }

    private final Nfa nfa;
    private final int[] parent;

    private NfaReduction(Nfa nfa) {
        this.nfa = nfa;
        this.parent = new int[nfa.states()];
        for (int s = 0; s < parent.length; s++) {
            parent[s] = s;
        }
    }

    static Nfa reduce(Nfa nfa) {
        return new NfaReduction(nfa).run();
    }

    private Nfa run() {
        int n = nfa.states();
        int[][] predecessors = predecessors();
        Map<Signature, Integer> bySignature = new HashMap<>();
        Deque<Integer> work = new ArrayDeque<>();
        boolean[] queued = new boolean[n];
        // deepest first: merges then propagate towards the initial state in one pass, mostly
        for (int s = n - 1; s >= 0; s--) {
            work.add(s);
            queued[s] = true;
        }
        while (!work.isEmpty()) {
            CompileCancellation.check();
            int s = work.poll();
            queued[s] = false;
            if (find(s) != s) {
                continue;
            }
            Signature signature = new Signature(key(s));
            Integer twin = bySignature.get(signature);
            if (twin == null || find(twin) != twin) {
                bySignature.put(signature, s);
            } else if (twin != s) {
                parent[s] = twin;
                // whatever led to s now leads to its twin: their own signatures changed
                for (int p : predecessors[s]) {
                    if (!queued[p] && find(p) == p) {
                        work.add(p);
                        queued[p] = true;
                    }
                }
                int[] merged = Arrays.copyOf(predecessors[twin], predecessors[twin].length + predecessors[s].length);
                System.arraycopy(predecessors[s], 0, merged, predecessors[twin].length, predecessors[s].length);
                predecessors[twin] = merged;
                predecessors[s] = new int[0];
            }
        }
        return renumbered();
    }

    private int find(int s) {
        while (parent[s] != s) {
            parent[s] = parent[parent[s]];
            s = parent[s];
        }
        return s;
    }

    private int[][] predecessors() {
        int n = nfa.states();
        int[] counts = new int[n];
        for (int[] ts : nfa.transitions) {
            for (int i = 0; i < ts.length; i += 3) {
                counts[ts[i + 2]]++;
            }
        }
        int[][] predecessors = new int[n][];
        for (int s = 0; s < n; s++) {
            predecessors[s] = new int[counts[s]];
        }
        int[] fill = new int[n];
        for (int s = 0; s < n; s++) {
            int[] ts = nfa.transitions[s];
            for (int i = 0; i < ts.length; i += 3) {
                predecessors[ts[i + 2]][fill[ts[i + 2]]++] = s;
            }
        }
        return predecessors;
    }

    /** The accept flag, then min, max, destination of each transition: sorted by destination and min, joined. */
    private int[] key(int s) {
        int[] ts = joined(nfa.transitions[s]);
        int[] key = new int[ts.length + 1];
        key[0] = nfa.accepting[s] ? 1 : 0;
        System.arraycopy(ts, 0, key, 1, ts.length);
        return key;
    }

    /** Transitions into representatives, sorted, overlapping or adjacent ranges into the same state joined. */
    private int[] joined(int[] ts) {
        int count = ts.length / 3;
        long[] sorted = new long[count];
        for (int t = 0; t < count; t++) {
            int i = 3 * t;
            // destination (up to 2^31), then min (16 bits), then max (16 bits)
            sorted[t] = ((long) find(ts[i + 2]) << 32) | ((long) ts[i] << 16) | ts[i + 1];
        }
        Arrays.sort(sorted);
        int[] out = new int[ts.length];
        int n = 0;
        for (long packed : sorted) {
            int dest = (int) (packed >>> 32);
            int min = (int) (packed >>> 16) & 0xFFFF;
            int max = (int) packed & 0xFFFF;
            if (n > 0 && out[n - 1] == dest && min <= out[n - 2] + 1) {
                out[n - 2] = Math.max(out[n - 2], max);
            } else {
                out[n++] = min;
                out[n++] = max;
                out[n++] = dest;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The representatives reachable from the initial one, renumbered breadth-first from 0. */
    private Nfa renumbered() {
        int n = nfa.states();
        int[] number = new int[n];
        Arrays.fill(number, -1);
        int[] order = new int[n];
        int count = 0;
        int initial = find(0);
        number[initial] = count;
        order[count++] = initial;
        int[][] transitions = new int[n][];
        for (int head = 0; head < count; head++) {
            CompileCancellation.check();
            int s = order[head];
            int[] ts = joined(nfa.transitions[s]);
            for (int i = 0; i < ts.length; i += 3) {
                if (number[ts[i + 2]] < 0) {
                    number[ts[i + 2]] = count;
                    order[count++] = ts[i + 2];
                }
                ts[i + 2] = number[ts[i + 2]];
            }
            transitions[head] = ts;
        }
        boolean[] accepting = new boolean[count];
        for (int k = 0; k < count; k++) {
            accepting[k] = nfa.accepting[order[k]];
        }
        return new Nfa(accepting, Arrays.copyOf(transitions, count));
    }
}

package dev.folio.grammar;

import java.util.Arrays;

/**
 * An immutable set of UTF-16 chars as sorted, disjoint, non-adjacent ranges. Character classes are
 * computed here (negation included) so brics only ever sees plain unions of ranges: its own {@code [^...]}
 * goes through complement and intersection, which determinize.
 */
final class CharRanges {

    static final CharRanges EMPTY = new CharRanges(new char[0]);
    static final CharRanges ALL = range(Character.MIN_VALUE, Character.MAX_VALUE);

    /** lo0, hi0, lo1, hi1, ...: inclusive bounds, sorted, with a gap between consecutive ranges. */
    private final char[] bounds;

    private CharRanges(char[] bounds) {
        this.bounds = bounds;
    }

    static CharRanges of(char c) {
        return new CharRanges(new char[] {c, c});
    }

    static CharRanges range(char lo, char hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("empty range " + (int) lo + ".." + (int) hi);
        }
        return new CharRanges(new char[] {lo, hi});
    }

    /** Each char of {@code chars}. */
    static CharRanges chars(String chars) {
        CharRanges set = EMPTY;
        for (int i = 0; i < chars.length(); i++) {
            set = set.union(of(chars.charAt(i)));
        }
        return set;
    }

    int rangeCount() {
        return bounds.length / 2;
    }

    char lo(int range) {
        return bounds[2 * range];
    }

    char hi(int range) {
        return bounds[2 * range + 1];
    }

    boolean isEmpty() {
        return bounds.length == 0;
    }

    boolean contains(char c) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (c < bounds[i]) {
                return false;
            }
            if (c <= bounds[i + 1]) {
                return true;
            }
        }
        return false;
    }

    CharRanges union(CharRanges other) {
        // merge both range lists by start, then coalesce overlapping or touching ranges
        int[] starts = new int[rangeCount() + other.rangeCount()];
        int[] ends = new int[starts.length];
        long[] keyed = new long[starts.length];
        int n = 0;
        for (CharRanges set : new CharRanges[] {this, other}) {
            for (int r = 0; r < set.rangeCount(); r++) {
                keyed[n++] = ((long) set.lo(r) << 32) | set.hi(r);
            }
        }
        Arrays.sort(keyed);
        for (int i = 0; i < n; i++) {
            starts[i] = (int) (keyed[i] >>> 32);
            ends[i] = (int) keyed[i];
        }
        char[] merged = new char[2 * n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m > 0 && starts[i] <= merged[m - 1] + 1) {
                merged[m - 1] = (char) Math.max(merged[m - 1], ends[i]);
            } else {
                merged[m++] = (char) starts[i];
                merged[m++] = (char) ends[i];
            }
        }
        return new CharRanges(Arrays.copyOf(merged, m));
    }

    CharRanges complement() {
        char[] gaps = new char[bounds.length + 2];
        int m = 0;
        int next = Character.MIN_VALUE;
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i] > next) {
                gaps[m++] = (char) next;
                gaps[m++] = (char) (bounds[i] - 1);
            }
            next = bounds[i + 1] + 1;
        }
        if (next <= Character.MAX_VALUE) {
            gaps[m++] = (char) next;
            gaps[m++] = Character.MAX_VALUE;
        }
        return new CharRanges(Arrays.copyOf(gaps, m));
    }

    CharRanges minus(CharRanges other) {
        return complement().union(other).complement();
    }

    CharRanges intersect(CharRanges other) {
        return complement().union(other.complement()).complement();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharRanges other && Arrays.equals(bounds, other.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int r = 0; r < rangeCount(); r++) {
            s.append(String.format("\\u%04X", (int) lo(r)));
            if (hi(r) != lo(r)) {
                s.append(String.format("-\\u%04X", (int) hi(r)));
            }
        }
        return s.append(']').toString();
    }
}

package dev.folio.grammar;

import java.util.Arrays;

/**
 * The vocabulary's characters grouped into classes that no transition of the automaton tells apart
 * (split at every transition's bounds), so the deterministic automaton keeps one transition per class,
 * not per token. A JSON grammar over a few hundred tokens needs a few dozen classes.
 */
final class Alphabet {

    /** The vocabulary's distinct chars, sorted. */
    private final char[] chars;
    /** The class of each of {@link #chars}: non-decreasing. */
    private final int[] charClass;
    /** The class of each token id. */
    final int[] tokenClass;
    final int classes;

    private Alphabet(char[] chars, int[] charClass, int[] tokenClass, int classes) {
        this.chars = chars;
        this.charClass = charClass;
        this.tokenClass = tokenClass;
        this.classes = classes;
    }

    static Alphabet of(String vocabulary, Nfa nfa) {
        int[] distinct = vocabulary.chars().distinct().sorted().toArray();
        char[] chars = new char[distinct.length];
        for (int k = 0; k < distinct.length; k++) {
            chars[k] = (char) distinct[k];
        }
        int cutCount = 0;
        for (int[] ts : nfa.transitions) {
            cutCount += 2 * ts.length / 3;
        }
        int[] cuts = new int[cutCount];
        int n = 0;
        for (int[] ts : nfa.transitions) {
            for (int i = 0; i < ts.length; i += 3) {
                cuts[n++] = ts[i];
                cuts[n++] = ts[i + 1] + 1;
            }
        }
        cuts = Arrays.stream(cuts).distinct().sorted().toArray();
        int[] charClass = new int[chars.length];
        int classes = 0;
        int previousSegment = -1;
        for (int k = 0; k < chars.length; k++) {
            int segment = upperBound(cuts, chars[k]);
            if (segment != previousSegment) {
                classes++;
                previousSegment = segment;
            }
            charClass[k] = classes - 1;
        }
        int[] tokenClass = new int[vocabulary.length()];
        for (int t = 0; t < tokenClass.length; t++) {
            tokenClass[t] = charClass[Arrays.binarySearch(chars, vocabulary.charAt(t))];
        }
        return new Alphabet(chars, charClass, tokenClass, classes);
    }

    /** Whether the vocabulary has a char in {@code min..max}. */
    boolean hasAny(int min, int max) {
        int first = lowerBound(chars, min);
        return first < chars.length && chars[first] <= max;
    }

    /** The classes of the vocabulary chars in {@code min..max}: {@code {lo, hi}}, or null if there are none. */
    int[] classRange(int min, int max) {
        int first = lowerBound(chars, min);
        int last = upperBound(chars, max) - 1;
        return first > last ? null : new int[] {charClass[first], charClass[last]};
    }

    /** The number of elements {@code <= key}. */
    private static int upperBound(int[] sorted, int key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(char[] sorted, int key) {
        return lowerBound(sorted, key + 1);
    }

    /** The number of elements {@code < key}. */
    private static int lowerBound(char[] sorted, int key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

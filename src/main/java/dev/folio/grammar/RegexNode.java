package dev.folio.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A regular expression as a tree: what the regex parser and the JSON Schema compiler produce, and what is
 * measured ({@link NfaSize}) and written out for brics ({@link BricsSyntax}). Nodes are immutable and may be
 * shared, so a tree is really a DAG; anything that walks one memoizes by identity, because expanding the
 * sharing can be exponential (and so can the records' own {@code equals}/{@code hashCode}: do not use them
 * on big trees).
 */
sealed interface RegexNode {

    /** The unbounded maximum of a {@link Repeat}. */
    int UNBOUNDED = -1;

    /** Exactly this text (possibly empty). */
    record Literal(String text) implements RegexNode {}

    /** Any one char of the (non-empty) set. */
    record CharClass(CharRanges chars) implements RegexNode {}

    /** The items one after another (at least two). */
    record Sequence(List<RegexNode> items) implements RegexNode {}

    /** Any one of the alternatives (at least two). */
    record Choice(List<RegexNode> alternatives) implements RegexNode {}

    /** The body {@code min} to {@code max} times; {@code max} is {@link #UNBOUNDED} or at least {@code min}. */
    record Repeat(RegexNode body, int min, int max) implements RegexNode {}

    /** Texts matching both sides (intersection). */
    record Both(RegexNode left, RegexNode right) implements RegexNode {}

    RegexNode EMPTY = new Literal("");

    static RegexNode literal(String text) {
        return text.isEmpty() ? EMPTY : new Literal(text);
    }

    static RegexNode chars(CharRanges chars) {
        if (chars.isEmpty()) {
            throw new IllegalArgumentException("empty character class");
        }
        return new CharClass(chars);
    }

    /** The items in order: nested sequences flattened, empty literals dropped, adjacent literals joined. */
    static RegexNode sequence(List<RegexNode> items) {
        List<RegexNode> flat = new ArrayList<>();
        for (RegexNode item : items) {
            if (item instanceof Sequence nested) {
                nested.items().forEach(i -> append(flat, i));
            } else {
                append(flat, item);
            }
        }
        if (flat.isEmpty()) {
            return EMPTY;
        }
        return flat.size() == 1 ? flat.get(0) : new Sequence(List.copyOf(flat));
    }

    static RegexNode sequence(RegexNode... items) {
        return sequence(List.of(items));
    }

    private static void append(List<RegexNode> flat, RegexNode item) {
        if (item instanceof Literal literal) {
            if (literal.text().isEmpty()) {
                return;
            }
            if (!flat.isEmpty() && flat.get(flat.size() - 1) instanceof Literal last) {
                flat.set(flat.size() - 1, new Literal(last.text() + literal.text()));
                return;
            }
        }
        flat.add(item);
    }

    /**
     * Any one of the alternatives: nested choices flattened, and single-char alternatives merged into one
     * class, which brics builds with far fewer states and transitions than a union of chars.
     */
    static RegexNode choice(List<RegexNode> alternatives) {
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("a choice needs alternatives");
        }
        List<RegexNode> flat = new ArrayList<>();
        CharRanges singles = CharRanges.EMPTY;
        int classAt = -1;
        List<RegexNode> pending = new ArrayList<>(alternatives);
        for (int i = 0; i < pending.size(); i++) {
            RegexNode alternative = pending.get(i);
            if (alternative instanceof Choice nested) {
                pending.addAll(i + 1, nested.alternatives());
                continue;
            }
            CharRanges single = alternative instanceof CharClass c ? c.chars()
                    : alternative instanceof Literal l && l.text().length() == 1 ? CharRanges.of(l.text().charAt(0))
                    : null;
            if (single != null) {
                if (classAt < 0) {
                    classAt = flat.size();
                    flat.add(null);
                }
                singles = singles.union(single);
            } else if (!(alternative instanceof Literal && flat.contains(alternative))) {
                // repeated literals are dropped (a cheap check); other repeats are harmless
                flat.add(alternative);
            }
        }
        if (classAt >= 0) {
            flat.set(classAt, singles.rangeCount() == 1 && singles.lo(0) == singles.hi(0)
                    ? new Literal(String.valueOf(singles.lo(0))) : new CharClass(singles));
        }
        return flat.size() == 1 ? flat.get(0) : new Choice(List.copyOf(flat));
    }

    static RegexNode choice(RegexNode... alternatives) {
        return choice(List.of(alternatives));
    }

    /** The body between {@code min} and {@code max} ({@link #UNBOUNDED} for no maximum) times. */
    static RegexNode repeat(RegexNode body, int min, int max) {
        if (min < 0 || (max != UNBOUNDED && max < min)) {
            throw new IllegalArgumentException("bad repetition {" + min + "," + max + "}");
        }
        if (max == 0 || body == EMPTY) {
            return EMPTY;
        }
        if (min == 1 && max == 1) {
            return body;
        }
        return new Repeat(body, min, max);
    }

    static RegexNode optional(RegexNode body) {
        return repeat(body, 0, 1);
    }

    static RegexNode star(RegexNode body) {
        return repeat(body, 0, UNBOUNDED);
    }
}

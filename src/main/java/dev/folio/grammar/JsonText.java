package dev.folio.grammar;

import static dev.folio.grammar.RegexNode.UNBOUNDED;
import static dev.folio.grammar.RegexNode.chars;
import static dev.folio.grammar.RegexNode.choice;
import static dev.folio.grammar.RegexNode.literal;
import static dev.folio.grammar.RegexNode.optional;
import static dev.folio.grammar.RegexNode.repeat;
import static dev.folio.grammar.RegexNode.sequence;
import static dev.folio.grammar.RegexNode.star;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pieces of JSON text as {@link RegexNode}s. The text is compact: no whitespace at all except one
 * optional space after each {@code :} and {@code ,} (so both {@code {"a":1,"b":2}} and
 * {@code {"a": 1, "b": 2}} are allowed). Strings hold any char but {@code "}, {@code \}, control chars and
 * unpaired surrogates, or the escapes {@code \" \\ \/ \b \f \n \r \t} and &#92;uXXXX; numbers follow the
 * JSON grammar.
 */
final class JsonText {

    /** How deep {@link #anyObject} nests containers, the outer object included (documented as 3 in TokenGrammar). */
    static final int ANY_DEPTH = 3;

    static final RegexNode COMMA = sequence(literal(","), optional(literal(" ")));
    static final RegexNode COLON = sequence(literal(":"), optional(literal(" ")));

    private static final CharRanges CONTROL = CharRanges.range('\0', '\u001F');
    private static final CharRanges HIGH_SURROGATE = CharRanges.range(Character.MIN_HIGH_SURROGATE,
            Character.MAX_HIGH_SURROGATE);
    private static final CharRanges LOW_SURROGATE = CharRanges.range(Character.MIN_LOW_SURROGATE,
            Character.MAX_LOW_SURROGATE);
    /** What a string may hold unescaped. */
    static final CharRanges UNESCAPED = CharRanges.ALL.minus(CharRanges.chars("\"\\")).minus(CONTROL)
            .minus(HIGH_SURROGATE.union(LOW_SURROGATE));
    private static final CharRanges HEX = CharRanges.range('0', '9').union(CharRanges.range('a', 'f'))
            .union(CharRanges.range('A', 'F'));
    private static final CharRanges DIGIT = CharRanges.range('0', '9');

    /** One char of a string's content, written raw (a surrogate pair as a whole) or escaped. */
    static final RegexNode CHAR = choice(
            chars(UNESCAPED),
            sequence(chars(HIGH_SURROGATE), chars(LOW_SURROGATE)),
            sequence(literal("\\"), chars(CharRanges.chars("\"\\/bfnrt"))),
            sequence(literal("\\u"), repeat(chars(HEX), 4, 4)));

    static final RegexNode STRING = string(0, UNBOUNDED);
    static final RegexNode INTEGER = sequence(optional(literal("-")),
            choice(literal("0"), sequence(chars(CharRanges.range('1', '9')), star(chars(DIGIT)))));
    static final RegexNode NUMBER = sequence(INTEGER,
            optional(sequence(literal("."), repeat(chars(DIGIT), 1, UNBOUNDED))),
            optional(sequence(chars(CharRanges.chars("eE")), optional(chars(CharRanges.chars("+-"))),
                    repeat(chars(DIGIT), 1, UNBOUNDED))));
    static final RegexNode BOOLEAN = choice(literal("true"), literal("false"));
    static final RegexNode NULL = literal("null");
    private static final RegexNode SCALAR = choice(STRING, NUMBER, BOOLEAN, NULL);

    private static final RegexNode[] ANY_VALUE = new RegexNode[ANY_DEPTH + 1];
    private static final RegexNode[] ANY_OBJECT = new RegexNode[ANY_DEPTH + 1];

    static {
        ANY_VALUE[0] = SCALAR;
        for (int depth = 1; depth <= ANY_DEPTH; depth++) {
            RegexNode member = sequence(STRING, COLON, ANY_VALUE[depth - 1]);
            ANY_OBJECT[depth] = sequence(literal("{"), optional(separated(member, 1, UNBOUNDED)), literal("}"));
            ANY_VALUE[depth] = choice(SCALAR, array(ANY_VALUE[depth - 1], 0, UNBOUNDED), ANY_OBJECT[depth]);
        }
    }

    private JsonText() {}

    /** A string of {@code min} to {@code max} ({@link RegexNode#UNBOUNDED} for any) chars, escapes counting one. */
    static RegexNode string(int min, int max) {
        return sequence(literal("\""), repeat(CHAR, min, max), literal("\""));
    }

    /** Any JSON value with containers nested at most {@code depth} deep (0: scalars only). */
    static RegexNode anyValue(int depth) {
        return ANY_VALUE[Math.max(0, Math.min(depth, ANY_DEPTH))];
    }

    /** Any JSON object with containers nested at most {@code depth} deep, itself included. */
    static RegexNode anyObject(int depth) {
        return ANY_OBJECT[Math.max(1, Math.min(depth, ANY_DEPTH))];
    }

    /** An array of {@code min} to {@code max} ({@link RegexNode#UNBOUNDED} for any) items. */
    static RegexNode array(RegexNode item, int min, int max) {
        if (max == 0) {
            return literal("[]");
        }
        RegexNode items = separated(item, Math.max(1, min), max);
        return sequence(literal("["), min == 0 ? optional(items) : items, literal("]"));
    }

    /** {@code min >= 1} to {@code max} items separated by commas. */
    private static RegexNode separated(RegexNode item, int min, int max) {
        return sequence(item, repeat(sequence(COMMA, item), min - 1, max == UNBOUNDED ? UNBOUNDED : max - 1));
    }

    /** A property of an object: its name, the schema of its value, and whether it must be present. */
    record Member(String name, RegexNode value, boolean required) {}

    /**
     * An object with the members in the given order, the required ones always present, each other one
     * present or not, commas between those present. Think of two modes, nothing written yet and something
     * written: a member takes "nothing" to "something" by writing itself (or keeps "nothing" by being
     * skipped, if optional), and keeps "something" by writing a comma and itself (or nothing). The members
     * are combined in halves, like a product of 2x2 matrices, so the regex has O(n log n) member copies
     * and O(log n) nesting; the obvious "which member comes first" choice copies the later ones for each
     * candidate (quadratic), and the left-to-right version nests n deep, which overflows brics' recursion.
     */
    static RegexNode object(List<Member> members) {
        if (members.isEmpty()) {
            return literal("{}");
        }
        Modes modes = modes(members, 0, members.size());
        RegexNode body = modes.nothingToNothing() ? optional(modes.nothingToSomething()) : modes.nothingToSomething();
        return sequence(literal("{"), body, literal("}"));
    }

    /**
     * What a run of members may write: from "nothing written" to "nothing" (only if all are optional: the
     * empty text), from "nothing" to "something" (never null), and from "something" to "something".
     */
    private record Modes(boolean nothingToNothing, RegexNode nothingToSomething, RegexNode somethingToSomething) {}

    private static Modes modes(List<Member> members, int from, int to) {
        if (to - from == 1) {
            Member m = members.get(from);
            RegexNode property = sequence(literal(quote(m.name())), COLON, m.value());
            RegexNode next = sequence(COMMA, property);
            return new Modes(!m.required(), property, m.required() ? next : optional(next));
        }
        int middle = (from + to) >>> 1;
        Modes left = modes(members, from, middle);
        Modes right = modes(members, middle, to);
        RegexNode leftThenRight = sequence(left.nothingToSomething(), right.somethingToSomething());
        return new Modes(left.nothingToNothing() && right.nothingToNothing(),
                left.nothingToNothing() ? choice(right.nothingToSomething(), leftThenRight) : leftThenRight,
                sequence(left.somethingToSomething(), right.somethingToSomething()));
    }

    /** The JSON string literal of {@code value}, quotes included, escaped the way {@link #encoded} writes it. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            if (paired) {
                out.append(c).append(value.charAt(++i));
            } else {
                out.append(escape(c));
            }
        }
        return out.append('"').toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> UNESCAPED.contains(c) ? String.valueOf(c) : String.format("\\u%04x", (int) c);
        };
    }

    /**
     * The content (without the quotes) of the JSON strings whose value matches {@code value}: each char
     * written raw where JSON allows it and escaped where it must be ({@code "}, {@code \}, control chars, the
     * short escape where there is one). Chars a pattern could only match as unpaired surrogates are left out.
     *
     * @return the encoded pattern, or null if it can match only such chars
     */
    static RegexNode encoded(RegexNode value) {
        return encoded(value, new IdentityHashMap<>());
    }

    private static RegexNode encoded(RegexNode node, Map<RegexNode, RegexNode[]> memo) {
        RegexNode[] known = memo.get(node);
        if (known != null) {
            return known[0];
        }
        RegexNode result;
        if (node instanceof RegexNode.Literal literal) {
            String quoted = quote(literal.text());
            result = literal(quoted.substring(1, quoted.length() - 1));
        } else if (node instanceof RegexNode.CharClass c) {
            result = encodedClass(c.chars());
        } else if (node instanceof RegexNode.Sequence sequence) {
            List<RegexNode> items = new ArrayList<>();
            for (RegexNode item : sequence.items()) {
                items.add(encoded(item, memo));
            }
            result = items.contains(null) ? null : sequence(items);
        } else if (node instanceof RegexNode.Choice choice) {
            List<RegexNode> alternatives = new ArrayList<>();
            for (RegexNode alternative : choice.alternatives()) {
                RegexNode e = encoded(alternative, memo);
                if (e != null) {
                    alternatives.add(e);
                }
            }
            result = alternatives.isEmpty() ? null : choice(alternatives);
        } else if (node instanceof RegexNode.Repeat repeat) {
            RegexNode body = encoded(repeat.body(), memo);
            result = body != null ? repeat(body, repeat.min(), repeat.max())
                    : repeat.min() == 0 ? RegexNode.EMPTY : null;
        } else {
            RegexNode.Both both = (RegexNode.Both) node;
            RegexNode left = encoded(both.left(), memo);
            RegexNode right = encoded(both.right(), memo);
            // encoding is one-to-one per char, so it maps an intersection to the intersection of the images
            result = left == null || right == null ? null : new RegexNode.Both(left, right);
        }
        memo.put(node, new RegexNode[] {result});
        return result;
    }

    private static RegexNode encodedClass(CharRanges chars) {
        List<RegexNode> alternatives = new ArrayList<>();
        CharRanges raw = chars.intersect(UNESCAPED);
        if (!raw.isEmpty()) {
            alternatives.add(chars(raw));
        }
        for (char c : new char[] {'"', '\\', '\b', '\f', '\n', '\r', '\t'}) {
            if (chars.contains(c)) {
                alternatives.add(literal(escape(c)));
            }
        }
        // the other control chars as \\u00XY, grouped by X, hex digits in either case
        CharRanges others = chars.intersect(CONTROL).minus(CharRanges.chars("\b\f\n\r\t"));
        for (int high = 0; high <= 1; high++) {
            CharRanges lows = CharRanges.EMPTY;
            for (int low = 0; low < 16; low++) {
                if (others.contains((char) (16 * high + low))) {
                    lows = lows.union(CharRanges.chars(Character.forDigit(low, 16)
                            + String.valueOf(Character.toUpperCase(Character.forDigit(low, 16)))));
                }
            }
            if (!lows.isEmpty()) {
                alternatives.add(sequence(literal("\\u00" + high), chars(lows)));
            }
        }
        return alternatives.isEmpty() ? null : choice(alternatives);
    }
}

package dev.folio.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Parses the regular-expression syntax clients send (the common subset of Python's, JavaScript's and
 * Java's) into a {@link RegexNode}. brics has a syntax of its own that reads many common patterns silently
 * differently ({@code \d} is the letter d, {@code "} quotes a string, there is no {@code (?:}), so patterns
 * are parsed here and only a normalized form reaches brics. Everything outside the subset is refused with
 * its position (0-based) rather than read some other way.
 *
 * <p>Accepted: literals; {@code .} (any char but {@code \n}); classes {@code [abc]}, {@code [^a-z]} (a
 * leading {@code ]} and a leading or trailing {@code -} are literal); {@code \d \w \s} and {@code \D \W \S}
 * (ASCII: {@code [0-9]}, {@code [A-Za-z0-9_]}, {@code [ \t\n\r\f\v]}), also inside classes; escapes
 * {@code \n \r \t \f \v \0 \xHH} and &#92;uHHHH, and a backslash before any other non-alphanumeric char;
 * alternation {@code |}; groups {@code (...)}, {@code (?:...)}, {@code (?<name>...)}, {@code (?P<name>...)};
 * quantifiers {@code * + ? {n} {n,} {n,m} {,m}}, also lazy ({@code *?}: the same language); a brace that
 * does not start a quantifier is literal; a leading {@code ^} and a trailing {@code $} are ignored, since
 * matching is always of the whole text. Refused: other anchors and {@code \b}, lookaround, backreferences,
 * atomic groups, possessive quantifiers, inline flags, {@code \p{..}}, nested classes and {@code &&},
 * repetition bounds above {@value #MAX_REPETITION}, groups nested deeper than {@value #MAX_NESTING}.
 * Chars are UTF-16 units; a surrogate pair outside a class counts as one atom.
 */
final class RegexParser {

    /** The largest repetition bound: brics copies the repeated automaton that many times. */
    static final int MAX_REPETITION = 1000;

    /** The deepest group nesting: later stages recurse once per level. */
    static final int MAX_NESTING = 64;

    static final CharRanges DIGIT = CharRanges.range('0', '9');
    static final CharRanges WORD = CharRanges.range('a', 'z').union(CharRanges.range('A', 'Z')).union(DIGIT)
            .union(CharRanges.of('_'));
    static final CharRanges SPACE = CharRanges.chars(" \t\n\r\f\u000B");
    static final CharRanges DOT = CharRanges.ALL.minus(CharRanges.of('\n'));

    /** One open group: its finished alternatives and the items of the one being read. */
    private static final class Group {
        final int openedAt;
        final List<RegexNode> alternatives = new ArrayList<>();
        List<RegexNode> items = new ArrayList<>();
        boolean lastRepeated;

        Group(int openedAt) {
            this.openedAt = openedAt;
        }

        void add(RegexNode item) {
            items.add(item);
            lastRepeated = false;
        }

        void nextAlternative() {
            alternatives.add(RegexNode.sequence(items));
            items = new ArrayList<>();
            lastRepeated = false;
        }

        RegexNode close() {
            nextAlternative();
            return RegexNode.choice(alternatives);
        }
    }

    /** What an escape or class member stands for: a single char or a set. */
    private record Member(char c, CharRanges set) {
        boolean isChar() {
            return set == null;
        }

        CharRanges asSet() {
            return set == null ? CharRanges.of(c) : set;
        }
    }

    private final String pattern;
    private int end;
    private int pos;

    private RegexParser(String pattern) {
        this.pattern = pattern;
    }

    /**
     * @throws GrammarException "regex: ..." if the pattern is longer than {@code maxLength} or outside the
     *     accepted syntax
     */
    static RegexNode parse(String pattern, int maxLength) {
        if (pattern.length() > maxLength) {
            throw new GrammarException("regex: pattern is " + pattern.length()
                    + " characters long; the limit is " + maxLength);
        }
        return new RegexParser(pattern).parse();
    }

    private RegexNode parse() {
        end = pattern.length();
        pos = 0;
        if (end > 0 && pattern.charAt(0) == '^') {
            pos = 1;
        }
        if (end > pos && pattern.charAt(end - 1) == '$' && !escaped(end - 1)) {
            end--;
        }
        // an explicit stack, not recursion: a pattern's nesting must not be able to overflow ours
        Deque<Group> outer = new ArrayDeque<>();
        Group group = new Group(-1);
        while (pos < end) {
            char c = pattern.charAt(pos);
            switch (c) {
                case '(' -> {
                    outer.push(group);
                    if (outer.size() > MAX_NESTING) {
                        throw fail("groups nested deeper than " + MAX_NESTING + " at " + pos);
                    }
                    group = new Group(pos);
                    pos = afterGroupOpening();
                }
                case ')' -> {
                    if (outer.isEmpty()) {
                        throw fail("unbalanced parenthesis at " + pos + ": ')' closes nothing");
                    }
                    RegexNode inner = group.close();
                    group = outer.pop();
                    group.add(inner);
                    pos++;
                }
                case '|' -> {
                    group.nextAlternative();
                    pos++;
                }
                case '*' -> quantify(group, 0, RegexNode.UNBOUNDED, pos + 1);
                case '+' -> quantify(group, 1, RegexNode.UNBOUNDED, pos + 1);
                case '?' -> quantify(group, 0, 1, pos + 1);
                case '{' -> braces(group);
                case '[' -> group.add(RegexNode.chars(characterClass()));
                case '.' -> {
                    group.add(RegexNode.chars(DOT));
                    pos++;
                }
                case '\\' -> {
                    Member m = escape(false);
                    group.add(m.isChar() ? RegexNode.literal(String.valueOf(m.c())) : RegexNode.chars(m.set()));
                }
                case '^', '$' -> throw fail("anchor '" + c + "' at " + pos + " is only allowed at the "
                        + (c == '^' ? "start" : "end") + " of the pattern (matching is always of the whole text)");
                default -> {
                    boolean pair = Character.isHighSurrogate(c) && pos + 1 < end
                            && Character.isLowSurrogate(pattern.charAt(pos + 1));
                    group.add(RegexNode.literal(pattern.substring(pos, pos + (pair ? 2 : 1))));
                    pos += pair ? 2 : 1;
                }
            }
        }
        if (!outer.isEmpty()) {
            throw fail("unbalanced parenthesis at " + group.openedAt + ": '(' is never closed");
        }
        return group.close();
    }

    private boolean escaped(int index) {
        int backslashes = 0;
        for (int i = index - 1; i >= 0 && pattern.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** Past the opening of a group at {@code pos}, refusing the kinds of group with no regular meaning. */
    private int afterGroupOpening() {
        int at = pos;
        int p = pos + 1;
        if (p >= end || pattern.charAt(p) != '?') {
            return p;
        }
        char kind = p + 1 < end ? pattern.charAt(p + 1) : 0;
        char after = p + 2 < end ? pattern.charAt(p + 2) : 0;
        return switch (kind) {
            case ':' -> p + 2;
            case '=', '!' -> throw fail("lookahead at " + at + " is not supported");
            case '>' -> throw fail("atomic group at " + at + " is not supported");
            case '#' -> throw fail("comment group at " + at + " is not supported");
            case '<' -> {
                if (after == '=' || after == '!') {
                    throw fail("lookbehind at " + at + " is not supported");
                }
                yield groupName(p + 2, at);
            }
            case 'P' -> {
                if (after == '<') {
                    yield groupName(p + 3, at);
                }
                throw fail("backreference at " + at + " is not supported");
            }
            default -> throw fail("inline flags or group kind '(?" + (kind == 0 ? "" : String.valueOf(kind))
                    + "' at " + at + " are not supported");
        };
    }

    private int groupName(int from, int at) {
        int p = from;
        while (p < end && (Character.isLetterOrDigit(pattern.charAt(p)) || pattern.charAt(p) == '_')) {
            p++;
        }
        if (p == from || p >= end || pattern.charAt(p) != '>') {
            throw fail("bad group name at " + at);
        }
        return p + 1;
    }

    /** Applies a quantifier that ends before {@code next} to the last item. */
    private void quantify(Group group, int min, int max, int next) {
        if (group.items.isEmpty()) {
            throw fail("nothing to repeat at " + pos);
        }
        if (group.lastRepeated) {
            throw fail("multiple repeat at " + pos);
        }
        pos = next;
        if (pos < end && pattern.charAt(pos) == '?') {
            pos++; // lazy: matches the same texts when the whole text must match
        } else if (pos < end && pattern.charAt(pos) == '+') {
            throw fail("possessive quantifier at " + pos + " is not supported");
        }
        RegexNode last = group.items.remove(group.items.size() - 1);
        group.add(RegexNode.repeat(last, min, max));
        group.lastRepeated = true;
    }

    /** A {@code {n}}, {@code {n,}}, {@code {n,m}} or {@code {,m}} quantifier, or else a literal brace. */
    private void braces(Group group) {
        int p = pos + 1;
        int minFrom = p;
        while (p < end && isAsciiDigit(pattern.charAt(p))) {
            p++;
        }
        String low = pattern.substring(minFrom, p);
        String high = low;
        boolean comma = p < end && pattern.charAt(p) == ',';
        if (comma) {
            int maxFrom = ++p;
            while (p < end && isAsciiDigit(pattern.charAt(p))) {
                p++;
            }
            high = pattern.substring(maxFrom, p);
        }
        if (p >= end || pattern.charAt(p) != '}' || (low.isEmpty() && high.isEmpty())) {
            group.add(RegexNode.literal("{"));
            pos++;
            return;
        }
        int min = low.isEmpty() ? 0 : bound(low);
        int max = high.isEmpty() ? RegexNode.UNBOUNDED : bound(high);
        if (max != RegexNode.UNBOUNDED && max < min) {
            throw fail("min repeat greater than max repeat at " + pos);
        }
        quantify(group, min, max, p + 1);
    }

    private int bound(String digits) {
        String value = digits.replaceFirst("^0+(?=.)", "");
        if (value.length() > 4 || Integer.parseInt(value) > MAX_REPETITION) {
            throw fail("repetition bound " + value + " at " + pos + " exceeds the limit of " + MAX_REPETITION);
        }
        return Integer.parseInt(value);
    }

    /** A bracketed class at {@code pos}, its negation applied. */
    private CharRanges characterClass() {
        int open = pos++;
        boolean negate = pos < end && pattern.charAt(pos) == '^';
        if (negate) {
            pos++;
        }
        CharRanges set = CharRanges.EMPTY;
        boolean first = true;
        while (true) {
            if (pos >= end) {
                throw fail("unterminated character class at " + open);
            }
            if (pattern.charAt(pos) == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            Member low = classMember();
            if (pos + 1 < end && pattern.charAt(pos) == '-' && pattern.charAt(pos + 1) != ']') {
                int dash = pos++;
                Member high = classMember();
                if (!low.isChar() || !high.isChar()) {
                    throw fail("bad character range at " + dash + ": a shorthand like \\d cannot be a range end");
                }
                if (high.c() < low.c()) {
                    throw fail("bad character range " + low.c() + "-" + high.c() + " at " + dash);
                }
                set = set.union(CharRanges.range(low.c(), high.c()));
            } else {
                set = set.union(low.asSet());
            }
        }
        if (negate) {
            set = set.complement();
        }
        if (set.isEmpty()) {
            throw fail("character class at " + open + " matches no character");
        }
        return set;
    }

    private Member classMember() {
        char c = pattern.charAt(pos);
        if (c == '\\') {
            return escape(true);
        }
        if (c == '[') {
            throw fail("'[' inside a character class at " + pos + " must be escaped as \\[ (nested classes are not"
                    + " supported)");
        }
        if (c == '&' && pos + 1 < end && pattern.charAt(pos + 1) == '&') {
            throw fail("'&&' inside a character class at " + pos + " is not supported");
        }
        if (Character.isSurrogate(c)) {
            throw fail("characters outside the Basic Multilingual Plane are not supported in a character class"
                    + " (at " + pos + ")");
        }
        pos++;
        return new Member(c, null);
    }

    /** The escape at {@code pos}; {@code \b} is a backspace inside a class and a (refused) anchor outside. */
    private Member escape(boolean inClass) {
        int at = pos;
        if (pos + 1 >= end) {
            throw fail("trailing backslash at " + at);
        }
        char e = pattern.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'd' -> new Member(e, DIGIT);
            case 'D' -> new Member(e, DIGIT.complement());
            case 'w' -> new Member(e, WORD);
            case 'W' -> new Member(e, WORD.complement());
            case 's' -> new Member(e, SPACE);
            case 'S' -> new Member(e, SPACE.complement());
            case 'n' -> new Member('\n', null);
            case 'r' -> new Member('\r', null);
            case 't' -> new Member('\t', null);
            case 'f' -> new Member('\f', null);
            case 'v' -> new Member('\u000B', null);
            case 'x' -> new Member(hex(2, at), null);
            case 'u' -> new Member(hex(4, at), null);
            case '0' -> {
                if (pos < end && isAsciiDigit(pattern.charAt(pos))) {
                    throw fail("octal escape at " + at + " is not supported (use \\xHH)");
                }
                yield new Member('\0', null);
            }
            case 'b' -> {
                if (inClass) {
                    yield new Member('\b', null);
                }
                throw fail("word boundary \\b at " + at + " is not supported");
            }
            case 'B', 'A', 'Z', 'z', 'G' -> throw fail("anchor \\" + e + " at " + at
                    + " is not supported (matching is always of the whole text)");
            case 'p', 'P' -> throw fail("Unicode property \\" + e + " at " + at + " is not supported");
            case 'k' -> throw fail("backreference at " + at + " is not supported");
            default -> {
                if (e >= '1' && e <= '9') {
                    throw fail("backreference \\" + e + " at " + at + " is not supported");
                }
                if (isAsciiDigit(e) || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
                    throw fail("unsupported escape \\" + e + " at " + at);
                }
                yield new Member(e, null);
            }
        };
    }

    private char hex(int digits, int at) {
        if (pos + digits > end) {
            throw fail("bad escape at " + at + ": expected " + digits + " hex digits");
        }
        int value = 0;
        for (int i = 0; i < digits; i++) {
            char h = pattern.charAt(pos + i);
            int d = isAsciiDigit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F') ? Character.digit(h, 16) : -1;
            if (d < 0) {
                throw fail("bad escape at " + at + ": expected " + digits + " hex digits");
            }
            value = value * 16 + d;
        }
        pos += digits;
        return (char) value;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static GrammarException fail(String why) {
        return new GrammarException("regex: " + why);
    }
}

package dev.folio.chat;

import java.text.Normalizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Vocabulary-aware replacement of the typographic characters a character-level vocabulary usually
 * lacks (curly quotes, dashes, ellipses, special spaces, ...). A character the vocabulary has is never
 * changed; one it lacks becomes the first candidate replacement whose characters the vocabulary all
 * has; one with no usable replacement is left in place, for the caller to report.
 *
 * <table>
 * <caption>Replacements, in order of preference</caption>
 * <tr><th>Characters</th><th>Candidates</th></tr>
 * <tr><td>‘ ’ ‚ ‛ ′</td><td>{@code '}</td></tr>
 * <tr><td>“ ” „ ‟ ″ « »</td><td>{@code "}, then {@code '}</td></tr>
 * <tr><td>— (em dash) ―</td><td>{@code --}, then {@code -}</td></tr>
 * <tr><td>– (en dash) ‐ ‑ ‒ − (minus)</td><td>{@code -}</td></tr>
 * <tr><td>…</td><td>{@code ...}</td></tr>
 * <tr><td>no-break space U+00A0, U+2000–U+200A (en, em, thin, hair, figure... spaces), narrow no-break
 *     space U+202F, tab</td><td>a space</td></tr>
 * <tr><td>{@code \r\n}, a lone {@code \r}</td><td>{@code \n}</td></tr>
 * <tr><td>zero-width space and (non-)joiners U+200B–U+200D, byte order mark U+FEFF</td><td>nothing (removed)</td></tr>
 * <tr><td>ﬁ ﬂ</td><td>{@code fi}, {@code fl}</td></tr>
 * <tr><td>æ Æ œ Œ</td><td>{@code ae}, {@code AE}, {@code oe}, {@code OE}</td></tr>
 * <tr><td>letters with diacritics (é à ñ ç ü ...)</td><td>the base letter (Unicode NFD without its
 *     combining marks); a combining mark the vocabulary lacks, after a letter, is dropped</td></tr>
 * </table>
 */
public final class TypographicNormalizer {

    private static final String DIACRITICS = "letters with diacritics (é, à, ñ, ç, ü, ...)";

    /** Keys are one character, or the two of {@code \r\n}; values are the candidates in order. */
    private static final Map<String, List<String>> TABLE = table();

    private final IntPredicate inVocabulary;

    /** @param inVocabulary whether a character (code point) is in the model's vocabulary */
    public TypographicNormalizer(IntPredicate inVocabulary) {
        this.inVocabulary = Objects.requireNonNull(inVocabulary, "inVocabulary");
    }

    /**
     * Replaces each character that is not in the vocabulary by its first candidate replacement whose
     * characters all are. Characters already in the vocabulary are never changed; characters with no
     * usable replacement are left as they are.
     */
    public String normalize(String text) {
        if (text.codePoints().allMatch(inVocabulary)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            int width = Character.charCount(codePoint);
            if (inVocabulary.test(codePoint)) {
                out.appendCodePoint(codePoint);
            } else if (codePoint == '\r' && text.startsWith("\r\n", i) && appendReplacement(out, "\r\n")) {
                width = 2;
            } else if (!appendReplacement(out, Character.toString(codePoint))
                    && !appendBaseLetter(out, codePoint)
                    && !(isCombiningMark(codePoint) && followsLetter(text, i))) {
                out.appendCodePoint(codePoint);
            }
            i += width;
        }
        return out.toString();
    }

    /**
     * The documented table, for docs/api.md (Chat) and {@code /info}: character to candidate replacements in
     * order of preference. Invisible characters are keyed by code point and Unicode name (e.g.
     * {@code "U+00A0 NO-BREAK SPACE"}) so the table reads well as JSON; the diacritics rule is one
     * descriptive entry.
     */
    public static Map<String, List<String>> replacements() {
        Map<String, List<String>> documented = new LinkedHashMap<>();
        TABLE.forEach((characters, candidates) -> documented.put(label(characters), candidates));
        documented.put(DIACRITICS, List.of("the base letter, when the vocabulary has it"));
        return Collections.unmodifiableMap(documented);
    }

    private boolean appendReplacement(StringBuilder out, String characters) {
        for (String candidate : TABLE.getOrDefault(characters, List.of())) {
            if (candidate.codePoints().allMatch(inVocabulary)) {
                out.append(candidate);
                return true;
            }
        }
        return false;
    }

    private boolean appendBaseLetter(StringBuilder out, int codePoint) {
        if (!Character.isLetter(codePoint)) {
            return false;
        }
        String base = withoutCombiningMarks(Normalizer.normalize(Character.toString(codePoint), Normalizer.Form.NFD));
        if (base.isEmpty() || base.codePointAt(0) == codePoint || !base.codePoints().allMatch(inVocabulary)) {
            return false;
        }
        out.append(base);
        return true;
    }

    /**
     * Whether the combining mark at {@code index} belongs to a letter: decomposed text (e followed by a
     * combining acute) then loses the mark as é loses its accent.
     */
    private static boolean followsLetter(String text, int index) {
        int i = index;
        while (i > 0) {
            int previous = text.codePointBefore(i);
            if (!isCombiningMark(previous)) {
                return Character.isLetter(previous);
            }
            i -= Character.charCount(previous);
        }
        return false;
    }

    private static String withoutCombiningMarks(String decomposed) {
        StringBuilder base = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(c -> !isCombiningMark(c)).forEach(base::appendCodePoint);
        return base.toString();
    }

    private static boolean isCombiningMark(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static String label(String characters) {
        if (characters.codePoints().allMatch(TypographicNormalizer::isVisible)) {
            return characters;
        }
        StringBuilder label = new StringBuilder();
        characters.codePoints().forEach(c -> label.append(label.isEmpty() ? "" : " + ")
                .append(String.format("U+%04X %s", c, Character.getName(c))));
        return label.toString();
    }

    private static boolean isVisible(int codePoint) {
        return !Character.isWhitespace(codePoint)
                && !Character.isSpaceChar(codePoint)
                && !Character.isISOControl(codePoint)
                && Character.getType(codePoint) != Character.FORMAT;
    }

    private static Map<String, List<String>> table() {
        Map<String, List<String>> table = new LinkedHashMap<>();
        put(table, "‘’‚‛′", "'");
        put(table, "“”„‟″«»", "\"", "'");
        put(table, "—―", "--", "-");
        put(table, "–‐‑‒−", "-");
        put(table, "…", "...");
        put(table, "\u00A0", " ");
        for (char space = '\u2000'; space <= '\u200A'; space++) {
            put(table, String.valueOf(space), " ");
        }
        put(table, "\u202F", " ");
        put(table, "\t", " ");
        table.put("\r\n", List.of("\n"));
        put(table, "\r", "\n");
        put(table, "\u200B\u200C\u200D\uFEFF", "");
        put(table, "ﬁ", "fi");
        put(table, "ﬂ", "fl");
        put(table, "æ", "ae");
        put(table, "Æ", "AE");
        put(table, "œ", "oe");
        put(table, "Œ", "OE");
        return Collections.unmodifiableMap(table);
    }

    /** Maps each character of {@code characters} to the same candidates. */
    private static void put(Map<String, List<String>> table, String characters, String... candidates) {
        characters.codePoints().forEach(c -> table.put(Character.toString(c), List.of(candidates)));
    }
}

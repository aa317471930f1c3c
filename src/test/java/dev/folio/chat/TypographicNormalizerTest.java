package dev.folio.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TypographicNormalizerTest {

    /** The vocabulary of the Shakespeare character model: no brackets, no double quote. */
    private static final String SHAKESPEARE = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static IntPredicate vocabulary(String characters) {
        return codePoint -> characters.indexOf(codePoint) >= 0;
    }

    private final TypographicNormalizer shakespeare = new TypographicNormalizer(vocabulary(SHAKESPEARE));

    /** Each row of the table, with the Shakespeare vocabulary; {@code \\uXXXX} spelled out for the invisible ones. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "a‘b|a'b", "a’b|a'b", "a‚b|a'b", "a‛b|a'b", "a′b|a'b",
            // no double quote in this vocabulary, so the second candidate
            "a“b|a'b", "a”b|a'b", "a„b|a'b", "a‟b|a'b", "a″b|a'b", "a«b|a'b", "a»b|a'b",
            "a—b|a--b", "a―b|a--b",
            "a–b|a-b", "a‐b|a-b", "a‑b|a-b", "a‒b|a-b", "a−b|a-b",
            "a…b|a...b",
            "ﬁne ﬂy|fine fly",
            "æ Æ œ Œ|ae AE oe OE",
            "é à ñ ç ü É Ö|e a n c u E O",
    })
    void replacesEachCharacterOfTheTable(String text, String expected) {
        assertThat(shakespeare.normalize(text)).isEqualTo(expected);
    }

    @Test
    void replacesSpecialSpacesAndTabsByASpace() {
        String spaces = "\u00A0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\t";

        assertThat(shakespeare.normalize("a" + spaces + "b")).isEqualTo("a" + " ".repeat(spaces.length()) + "b");
    }

    @Test
    void turnsCarriageReturnsIntoLineFeeds() {
        assertThat(shakespeare.normalize("one\r\ntwo\rthree\n\r\nfour")).isEqualTo("one\ntwo\nthree\n\nfour");
    }

    @Test
    void removesZeroWidthCharacters() {
        assertThat(shakespeare.normalize("\uFEFFa\u200Bb\u200Cc\u200Dd")).isEqualTo("abcd");
    }

    @Test
    void prefersTheFirstCandidateTheVocabularyHas() {
        TypographicNormalizer withDoubleQuote = new TypographicNormalizer(vocabulary(SHAKESPEARE + "\""));
        TypographicNormalizer withoutHyphen = new TypographicNormalizer(vocabulary("ab"));

        assertThat(shakespeare.normalize("“Hark”")).isEqualTo("'Hark'");
        assertThat(withDoubleQuote.normalize("“Hark”")).isEqualTo("\"Hark\"");
        // "--" needs only the hyphen, so whenever "-" would fit, "--" fits first
        assertThat(new TypographicNormalizer(vocabulary("ab-")).normalize("a—b")).isEqualTo("a--b");
        // no candidate fits, so the character stays for the caller to report
        assertThat(withoutHyphen.normalize("a—b")).isEqualTo("a—b");
    }

    @Test
    void neverChangesCharactersTheVocabularyHas() {
        TypographicNormalizer rich = new TypographicNormalizer(vocabulary("’—…é\t\r\næ\u00A0ﬁ"));

        assertThat(rich.normalize("’—…é\t\r\næ\u00A0ﬁ")).isEqualTo("’—…é\t\r\næ\u00A0ﬁ");
        assertThat(shakespeare.normalize("Good morrow, fair maid!\n")).isEqualTo("Good morrow, fair maid!\n");
    }

    @Test
    void leavesCharactersWithoutAUsableReplacementInPlace() {
        // no replacement at all (ø has no decomposition), or one the vocabulary cannot spell
        assertThat(shakespeare.normalize("5€ ø [x] “q”")).isEqualTo("5€ ø [x] 'q'");
        assertThat(new TypographicNormalizer(vocabulary("abc")).normalize("é…")).isEqualTo("é…");
    }

    @Test
    void stripsDiacriticsOnlyWhenTheBaseLetterIsInTheVocabulary() {
        TypographicNormalizer noE = new TypographicNormalizer(vocabulary("abcdf"));

        assertThat(shakespeare.normalize("Café, naïve señor, garçon")).isEqualTo("Cafe, naive senor, garcon");
        assertThat(noE.normalize("éa")).isEqualTo("éa");
    }

    @Test
    void dropsCombiningMarksOfDecomposedLetters() {
        assertThat(shakespeare.normalize("Cafe\u0301 n\u0303\u0308o")).isEqualTo("Cafe no");
        // a mark that belongs to no letter is left for the caller to report
        assertThat(shakespeare.normalize(" \u0301")).isEqualTo(" \u0301");
    }

    @Test
    void theDocumentedTableListsEveryRowInOrderOfPreference() {
        Map<String, List<String>> table = TypographicNormalizer.replacements();

        assertThat(table).containsEntry("“", List.of("\"", "'"))
                .containsEntry("—", List.of("--", "-"))
                .containsEntry("−", List.of("-"))
                .containsEntry("…", List.of("..."))
                .containsEntry("ﬁ", List.of("fi"))
                .containsEntry("Œ", List.of("OE"))
                .containsEntry("U+00A0 NO-BREAK SPACE", List.of(" "))
                .containsEntry("U+2009 THIN SPACE", List.of(" "))
                .containsEntry("U+0009 CHARACTER TABULATION", List.of(" "))
                .containsEntry("U+000D CARRIAGE RETURN (CR) + U+000A LINE FEED (LF)", List.of("\n"))
                .containsEntry("U+200B ZERO WIDTH SPACE", List.of(""))
                .containsEntry("U+FEFF ZERO WIDTH NO-BREAK SPACE", List.of(""))
                .containsKey("letters with diacritics (é, à, ñ, ç, ü, ...)");
        assertThat(table.keySet()).startsWith("‘", "’", "‚", "‛", "′", "“");
    }

    @Test
    void theDocumentedTableIsWhatNormalizeDoes() {
        // with every candidate available, each visible character becomes its first candidate
        TypographicNormalizer ascii = new TypographicNormalizer(c -> c == '\n' || (c >= ' ' && c <= '~'));

        TypographicNormalizer.replacements().forEach((character, candidates) -> {
            if (character.codePointCount(0, character.length()) == 1) {
                assertThat(ascii.normalize(character)).as(character).isEqualTo(candidates.get(0));
            }
        });
        assertThat(ascii.normalize("\u00A0\t\u200B\r\n")).isEqualTo(" " + " " + "" + "\n");
    }
}

package dev.folio.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The regex syntax clients send, as opposed to brics' own: what is accepted, what it means, what is refused. */
class RegexSyntaxTest {

    private static final String VOCABULARY = "abcxyzABC_019 .-:\"\\\n\t{}[]()*+?|^$@";

    private static boolean matches(String pattern, String text) {
        TokenGrammar g = TokenGrammar.regex(pattern, VOCABULARY, GrammarLimits.DEFAULT);
        return TokenGrammarTest.matches(g, VOCABULARY, text);
    }

    // --- accepted syntax and its meaning

    @Test
    void shorthandClassesAreAsciiClassesNotLetters() {
        // in brics' syntax \d is the letter d
        assertThat(matches("\\d+", "019")).isTrue();
        assertThat(matches("\\d", "d")).isFalse();
        assertThat(matches("\\w+", "aA_9")).isTrue();
        assertThat(matches("\\w", "-")).isFalse();
        assertThat(matches("\\s+", " \t\n")).isTrue();
        assertThat(matches("\\S\\D\\W", "a a")).isFalse();
        assertThat(matches("\\S\\D\\W", "-a-")).isTrue();
        assertThat(matches("[\\d_]+", "0_9")).isTrue();
    }

    @Test
    void aDoubleQuoteIsAnOrdinaryCharacter() {
        // in brics' syntax "..." quotes a string
        assertThat(matches("\"[a-c]+\"", "\"abc\"")).isTrue();
        assertThat(matches("[\"]", "\"")).isTrue();
    }

    @Test
    void otherBricsOperatorsAreOrdinaryCharacters() {
        assertThat(matches("@", "@")).isTrue();
        assertThat(matches("[~#<>@]", "@")).isTrue();
    }

    @Test
    void dotIsAnyCharacterButNewline() {
        assertThat(matches("a.c", "a-c")).isTrue();
        assertThat(matches("a.c", "a\tc")).isTrue();
        assertThat(matches("a.c", "a\nc")).isFalse();
        assertThat(matches("a\\.c", "a-c")).isFalse();
        assertThat(matches("a\\.c", "a.c")).isTrue();
    }

    @Test
    void classesWithRangesNegationAndLiteralEdges() {
        assertThat(matches("[a-c]+", "abcab")).isTrue();
        assertThat(matches("[^a-c]+", "xyz")).isTrue();
        assertThat(matches("[^a-c]", "b")).isFalse();
        assertThat(matches("[]a]+", "]a]")).isTrue();
        assertThat(matches("[-a]+", "-a")).isTrue();
        assertThat(matches("[a-]+", "-a")).isTrue();
        assertThat(matches("[\\]\\[]+", "[]")).isTrue();
        assertThat(matches("[\\x41-\\u0043]+", "ABC")).isTrue();
    }

    @Test
    void escapesOfCommonSyntax() {
        assertThat(matches("\\t\\n", "\t\n")).isTrue();
        assertThat(matches("\\x61\\u0062", "ab")).isTrue();
        assertThat(matches("\\(\\)\\*\\+\\?\\|\\^\\$\\{\\}", "()*+?|^${}")).isTrue();
        assertThat(matches("\\\\", "\\")).isTrue();
    }

    @Test
    void groupsOfEveryCapturingKindAreJustGroups() {
        assertThat(matches("(ab)+", "abab")).isTrue();
        assertThat(matches("(?:ab)+", "abab")).isTrue();
        assertThat(matches("(?<x>ab)+", "abab")).isTrue();
        assertThat(matches("(?P<x>ab)+", "abab")).isTrue();
        assertThat(matches("a(|b)c", "ac")).isTrue();
    }

    @Test
    void quantifiersOfCommonSyntax() {
        assertThat(matches("a{2}", "aa")).isTrue();
        assertThat(matches("a{2}", "aaa")).isFalse();
        assertThat(matches("a{2,}", "aaaa")).isTrue();
        assertThat(matches("a{1,2}", "aaa")).isFalse();
        assertThat(matches("a{,2}", "")).isTrue();
        assertThat(matches("ab*", "abbb")).isTrue();
        assertThat(matches("ab*", "abab")).isFalse();
        assertThat(matches("a+?b", "aab")).isTrue(); // lazy: the same texts match
        assertThat(matches("a??b", "b")).isTrue();
    }

    @Test
    void aBraceThatIsNotAQuantifierIsLiteral() {
        assertThat(matches("{a}", "{a}")).isTrue();
        assertThat(matches("a{b", "a{b")).isTrue();
        assertThat(matches("a{}", "a{}")).isTrue();
        assertThat(matches("\\{\"a\":1\\}", "{\"a\":1}")).isTrue();
    }

    // --- refused syntax

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "(ab          | regex: unbalanced parenthesis at 0: '(' is never closed",
        "ab)c         | regex: unbalanced parenthesis at 2: ')' closes nothing",
        "a(b(c)d      | regex: unbalanced parenthesis at 1: '(' is never closed",
        "[ab          | regex: unterminated character class at 0",
        "*a           | regex: nothing to repeat at 0",
        "(+a)         | regex: nothing to repeat at 1",
        "a**          | regex: multiple repeat at 2",
        "a{3,2}       | regex: min repeat greater than max repeat at 1",
        "a*+          | regex: possessive quantifier at 2 is not supported",
        "ab\\         | regex: trailing backslash at 2",
        "(?=a)b       | regex: lookahead at 0 is not supported",
        "a(?<!b)      | regex: lookbehind at 1 is not supported",
        "(?>a)        | regex: atomic group at 0 is not supported",
        "(?i)abc      | regex: inline flags or group kind '(?i' at 0 are not supported",
        "(a)\\1       | regex: backreference \\1 at 3 is not supported",
        "\\bab        | regex: word boundary \\b at 0 is not supported",
        "a\\Z         | regex: anchor \\Z at 1 is not supported (matching is always of the whole text)",
        "a^b          | regex: anchor '^' at 1 is only allowed at the start of the pattern"
                + " (matching is always of the whole text)",
        "a$b          | regex: anchor '$' at 1 is only allowed at the end of the pattern"
                + " (matching is always of the whole text)",
        "\\p{L}       | regex: Unicode property \\p at 0 is not supported",
        "\\q          | regex: unsupported escape \\q at 0",
        "\\x4         | regex: bad escape at 0: expected 2 hex digits",
        "[z-a]        | regex: bad character range z-a at 2",
        "[\\d-z]      | regex: bad character range at 3: a shorthand like \\d cannot be a range end",
        "[a-z&&[aei]] | regex: '&&' inside a character class at 4 is not supported",
        "[[:alpha:]]  | regex: '[' inside a character class at 1 must be escaped as \\["
                + " (nested classes are not supported)",
        "[^\\x00-\\uFFFF] | regex: character class at 0 matches no character",
    })
    void refusedWithAMessageNamingTheProblemAndItsPosition(String pattern, String message) {
        assertThatThrownBy(() -> TokenGrammar.regex(pattern.strip(), VOCABULARY, GrammarLimits.DEFAULT))
                .isInstanceOf(GrammarException.class)
                .hasMessage(message.strip());
    }

    @Test
    void refusesGroupsNestedTooDeeply() {
        String pattern = "(".repeat(65) + "a" + ")".repeat(65);

        assertThatThrownBy(() -> TokenGrammar.regex(pattern, VOCABULARY, GrammarLimits.DEFAULT))
                .hasMessage("regex: groups nested deeper than 64 at 64");
    }
}

package dev.folio.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenGrammarTest {

    private static final String VOCABULARY = "abc012{}\":, ";

    private static TokenGrammar regex(String pattern) {
        return TokenGrammar.regex(pattern, VOCABULARY, GrammarLimits.DEFAULT);
    }

    /** Whether the grammar lets decoding produce exactly {@code text} and stop. */
    static boolean matches(TokenGrammar grammar, String vocabulary, String text) {
        int state = grammar.start();
        for (char c : text.toCharArray()) {
            int token = vocabulary.indexOf(c);
            if (token < 0 || !grammar.allows(state, token)) {
                return false;
            }
            state = grammar.next(state, token);
        }
        return grammar.accepts(state);
    }

    private static String allowed(TokenGrammar grammar, int state) {
        StringBuilder chars = new StringBuilder();
        boolean[] mask = grammar.mask(state);
        for (int t = 0; t < mask.length; t++) {
            if (mask[t]) {
                chars.append(VOCABULARY.charAt(t));
            }
        }
        return chars.toString();
    }

    // --- masks and transitions

    @Test
    void eachStateAllowsExactlyTheTokensThatCanContinueAMatch() {
        TokenGrammar g = regex("a[bc]*2");

        int s = g.start();
        assertThat(allowed(g, s)).isEqualTo("a");
        assertThat(g.accepts(s)).isFalse();
        s = g.next(s, VOCABULARY.indexOf('a'));
        assertThat(allowed(g, s)).isEqualTo("bc2");
        s = g.next(s, VOCABULARY.indexOf('c'));
        assertThat(allowed(g, s)).isEqualTo("bc2");
        s = g.next(s, VOCABULARY.indexOf('2'));
        assertThat(g.accepts(s)).isTrue();
        assertThat(g.canContinue(s)).isFalse();
        assertThat(allowed(g, s)).isEmpty();
    }

    @Test
    void theMaskIsOnePerVocabularyTokenAndTheSameArrayEachCall() {
        TokenGrammar g = regex("ab");

        assertThat(g.mask(g.start())).hasSize(VOCABULARY.length());
        assertThat(g.mask(g.start())).isSameAs(g.mask(g.start()));
        assertThat(g.allows(g.start(), VOCABULARY.indexOf('a'))).isTrue();
        assertThat(g.allows(g.start(), VOCABULARY.indexOf('b'))).isFalse();
    }

    @Test
    void aDisallowedTokenHasNoNextState() {
        TokenGrammar g = regex("ab");

        assertThatThrownBy(() -> g.next(g.start(), VOCABULARY.indexOf('b')))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokensWithTheSameCharacterAreAllowedTogether() {
        String vocabulary = "aab";
        TokenGrammar g = TokenGrammar.regex("a+b", vocabulary, GrammarLimits.DEFAULT);

        assertThat(g.mask(g.start())).containsExactly(true, true, false);
        assertThat(g.next(g.start(), 0)).isEqualTo(g.next(g.start(), 1));
    }

    @Test
    void statesAreNumberedFromTheStart() {
        TokenGrammar g = regex("a{3}");

        assertThat(g.start()).isZero();
        assertThat(g.states()).isEqualTo(4);
    }

    // --- full-match semantics

    @Test
    void theWholeTextMustMatch() {
        TokenGrammar g = regex("ab|c");

        assertThat(matches(g, VOCABULARY, "ab")).isTrue();
        assertThat(matches(g, VOCABULARY, "c")).isTrue();
        assertThat(matches(g, VOCABULARY, "a")).isFalse();
        assertThat(matches(g, VOCABULARY, "abc")).isFalse();
        assertThat(matches(g, VOCABULARY, "cab")).isFalse();
    }

    @Test
    void anchorsAtTheEndsChangeNothing() {
        TokenGrammar g = regex("^a+$");

        assertThat(matches(g, VOCABULARY, "aaa")).isTrue();
        assertThat(matches(g, VOCABULARY, "")).isFalse();
    }

    @Test
    void theEmptyPatternMatchesOnlyTheEmptyText() {
        TokenGrammar g = regex("");

        assertThat(g.accepts(g.start())).isTrue();
        assertThat(g.canContinue(g.start())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a(b|c)*", "(ab|a)(c|bc)", "[a-c]{2,4}", "a?b?c?", "(a|b)*abb", "(0|1[01]*)",
            "[^a]*", "(a|b)*a(a|b){3}", "a{2,}b{0,2}", "{\"a\":[012]+}"})
    void acceptsExactlyWhatJavaRegexMatchesOverTheVocabulary(String pattern) {
        TokenGrammar g = regex(pattern);
        Pattern java = Pattern.compile(pattern.replace("{\"", "\\{\"").replace("]+}", "]+\\}"));
        Random random = new Random(pattern.hashCode());
        String alphabet = "abc01\"{}:[]";
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(9);
            for (int k = 0; k < length; k++) {
                text.append(alphabet.charAt(random.nextInt(pattern.contains("{\"") ? alphabet.length() : 5)));
            }
            String s = text.toString();
            boolean inVocabulary = s.chars().allMatch(c -> VOCABULARY.indexOf(c) >= 0);
            assertThat(matches(g, VOCABULARY, s)).as("%s on %s", pattern, s)
                    .isEqualTo(inVocabulary && java.matcher(s).matches());
        }
    }

    // --- dead states and missing characters

    @Test
    void aBranchNeedingAMissingCharacterIsNeverOffered() {
        TokenGrammar g = TokenGrammar.regex("a(b|z)", "abc", GrammarLimits.DEFAULT);

        int afterA = g.next(g.start(), 0);
        assertThat(g.mask(afterA)).containsExactly(false, true, false);
    }

    @Test
    void decodingCanNeverDeadEnd() {
        // 'x' can only be followed by 'z', which the vocabulary lacks: x must never be offered
        TokenGrammar g = TokenGrammar.regex("(a|xz)+b", "abx", GrammarLimits.DEFAULT);

        for (int s = 0; s < g.states(); s++) {
            assertThat(g.canContinue(s) || g.accepts(s)).as("state %d", s).isTrue();
            assertThat(g.mask(s)[2]).isFalse();
        }
    }

    @Test
    void aGrammarTheVocabularyCannotWriteIsRefusedNamingWhatIsMissing() {
        assertThatThrownBy(() -> TokenGrammar.regex("ab(x|yz)c", "abc", GrammarLimits.DEFAULT))
                .isInstanceOf(GrammarException.class)
                .hasMessage("grammar needs characters the model's vocabulary lacks: 'x' (U+0078)");
    }

    @Test
    void aMissingRangeIsNamedAsARange() {
        assertThatThrownBy(() -> TokenGrammar.regex("[0-9]+", "abc", GrammarLimits.DEFAULT))
                .hasMessage("grammar needs characters the model's vocabulary lacks: "
                        + "one of '0'-'9' (U+0030-U+0039)");
    }

    @Test
    void unprintableCharactersAreNamedByCode() {
        assertThatThrownBy(() -> TokenGrammar.regex("a\\nb", "ab", GrammarLimits.DEFAULT))
                .hasMessage("grammar needs characters the model's vocabulary lacks: (U+000A)");
    }

    @Test
    void anEmptyVocabularyCanWriteOnlyTheEmptyText() {
        assertThat(TokenGrammar.regex("a?", "", GrammarLimits.DEFAULT).accepts(0)).isTrue();
        assertThatThrownBy(() -> TokenGrammar.regex("a", "", GrammarLimits.DEFAULT))
                .hasMessageContaining("'a' (U+0061)");
    }

    // --- bounded work

    @Test
    void aRegexWhoseDeterministicAutomatonExplodesIsRefused() {
        // 2^41 deterministic states; refused once 20000 are built
        assertThatThrownBy(() -> TokenGrammar.regex("(a|b)*a(a|b){40}", "ab", GrammarLimits.DEFAULT))
                .isInstanceOf(GrammarException.class)
                .hasMessage("grammar too complex: more than 20000 automaton states");
    }

    @Test
    void theStateCapIsTheConfiguredOne() {
        GrammarLimits small = new GrammarLimits(4096, 50);

        assertThat(TokenGrammar.regex("a{40}", "a", small).states()).isEqualTo(41);
        assertThatThrownBy(() -> TokenGrammar.regex("a{60}", "a", small))
                .hasMessage("grammar too complex: more than 50 automaton states");
    }

    @Test
    void aHugeRepetitionBoundIsRefusedBeforeBricsSeesIt() {
        assertThatThrownBy(() -> regex("a{100000}"))
                .hasMessage("regex: repetition bound 100000 at 1 exceeds the limit of 1000");
        assertThatThrownBy(() -> regex("a{2,99999999999999999999}"))
                .hasMessageContaining("exceeds the limit of 1000");
    }

    @Test
    void nestedRepetitionsThatMultiplyAreRefused() {
        assertThatThrownBy(() -> regex("(a{1000}){1000}"))
                .hasMessageStartingWith("grammar too complex: its automaton would need more than 100000 states");
        // brics copies transitions quadratically for repeated optional parts
        assertThatThrownBy(() -> regex("((a?){1000}b){3}")).hasMessageStartingWith("grammar too complex");
    }

    @Test
    void aPatternLongerThanTheLimitIsRefused() {
        assertThatThrownBy(() -> regex("a".repeat(4097)))
                .hasMessage("regex: pattern is 4097 characters long; the limit is 4096");
        assertThat(regex("a".repeat(4096)).states()).isEqualTo(4097);
    }

    @Test
    void longAlternationsAndSequencesCompileOnASmallStack() throws InterruptedException {
        // brics parses recursively; its input is written as balanced groups so this stays shallow
        List<Throwable> failures = new ArrayList<>();
        Thread small = new Thread(null, () -> {
            try {
                assertThat(regex("(ab|ba|c)".repeat(455)).states()).isPositive();
                assertThat(regex("a|b".repeat(1365)).states()).isPositive();
                assertThat(regex("(".repeat(64) + "a|b" + ")*".repeat(64)).states()).isPositive();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertThat(failures).isEmpty();
    }

    @Test
    void compilesConcurrentlyAndIsSharedBetweenThreads() throws Exception {
        TokenGrammar shared = regex("(ab|c)*2");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    assertThat(matches(shared, VOCABULARY, "abcab2")).isTrue();
                    return TokenGrammar.anyJsonObject(VOCABULARY, GrammarLimits.DEFAULT).states();
                }));
            }
            int states = TokenGrammar.anyJsonObject(VOCABULARY, GrammarLimits.DEFAULT).states();
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(states);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new GrammarLimits(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrammarLimits(10, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}

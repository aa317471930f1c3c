package dev.folio.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** An interrupted compile stops instead of running on: what makes the compile time budget abort the work. */
class CompileCancellationTest {

    private static final String VOCABULARY = "abcdefghijklmnopqrstuvwxyz ,.\n";

    @Test
    void anInterruptedCompileStopsAndClearsTheFlag() {
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> TokenGrammar.regex("(x?){200}", VOCABULARY, GrammarLimits.DEFAULT))
                .isInstanceOf(CancellationException.class);
        assertThat(Thread.currentThread().isInterrupted()).as("the flag is consumed by the compile it stopped").isFalse();
        assertThat(TokenGrammar.regex("(x?){20}", VOCABULARY, GrammarLimits.DEFAULT).states()).isPositive();
    }

    @Test
    void determinizingChecksForCancellationAsItGoes() {
        Nfa nfa = NfaReduction.reduce(Nfa.of(RegexAutomaton.build(RegexParser.parse("(x?){50}", 100), GrammarLimits.DEFAULT),
                GrammarLimits.DEFAULT));
        Alphabet alphabet = Alphabet.of(VOCABULARY, nfa);
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> SubsetConstruction.run(nfa, alphabet, GrammarLimits.DEFAULT)).isInstanceOf(CancellationException.class);
    }
}

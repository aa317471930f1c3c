package dev.folio.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import dk.brics.automaton.Automaton;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The estimate that guards brics' memory must bound what brics really builds. */
class NfaSizeTest {

    private static void assertBounds(RegexNode node) {
        NfaSize estimate = NfaSize.of(node);
        Automaton built = RegexAutomaton.build(node, GrammarLimits.DEFAULT);

        assertThat(estimate.states()).isGreaterThanOrEqualTo(built.getNumberOfStates());
        assertThat(estimate.transitions()).isGreaterThanOrEqualTo(built.getNumberOfTransitions());
        assertThat(estimate.work()).isGreaterThanOrEqualTo(estimate.states() + estimate.transitions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "abc", "[a-c]", "[a-cx-z0-9]", "a|b|cd", "(ab|cd)*", "(a?){20}", "(a|b)+c{2,5}",
            "((a?b?)*c){3,}", "(x[0-9]?){0,7}y", ".*a.*", "(\\d+\\.)?\\w*", "((a|bc)?(d|)){4}", "(a*b*)*"})
    void forRegexes(String pattern) {
        assertBounds(RegexParser.parse(pattern, 100));
    }

    @Test
    void forJsonPieces() {
        for (RegexNode node : List.of(JsonText.STRING, JsonText.NUMBER, JsonText.string(2, 30), JsonText.anyObject(2),
                JsonText.array(JsonText.INTEGER, 1, 4), JsonText.anyValue(1))) {
            assertBounds(node);
        }
    }

    @Test
    void forSchemasWithOptionalMembersAndIntersections() {
        assertBounds(JsonSchemaCompiler.compile("""
                {"properties": {"a": {"type": "integer"}, "b": {"type": "string", "pattern": "[a-c]+x?",
                 "minLength": 2, "maxLength": 9}, "c": {"enum": [1, 2]}, "d": {"type": "boolean"}},
                 "required": ["c"]}""", GrammarLimits.DEFAULT));
    }

    @Test
    void nestingMultipliesTheWorkNotTheSize() {
        NfaSize flat = NfaSize.of(RegexParser.parse("(ab|cd){10}", 100));
        NfaSize nested = NfaSize.of(RegexParser.parse("((((ab|cd){10}))x)y", 100));

        assertThat(nested.states()).isLessThan(flat.states() + 10);
        assertThat(nested.work()).isGreaterThan(flat.work());
    }
}

package dev.folio.grammar;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.RegExp;

/**
 * Builds the brics automaton of a {@link RegexNode}: nondeterministic and not minimized
 * ({@code toAutomaton(false)}), since determinizing over all of Unicode is exactly the unbounded step that
 * {@link SubsetConstruction} does instead, over the vocabulary only and under a cap. Its size is bounded
 * before brics starts ({@link NfaSize}).
 */
final class RegexAutomaton {

    private RegexAutomaton() {}

    /** @throws GrammarException "grammar too complex: ..." if the automaton would exceed the limits */
    static Automaton build(RegexNode node, GrammarLimits limits) {
        NfaSize size = NfaSize.of(node);
        if (size.states() > limits.maxNfaStates() || size.transitions() > limits.maxNfaTransitions()
                || size.work() > limits.maxNfaWork()) {
            throw new GrammarException("grammar too complex: its automaton would need more than "
                    + limits.maxNfaStates() + " states or " + limits.maxNfaTransitions()
                    + " transitions before determinization (repetition bounds and nesting multiply)");
        }
        BricsSyntax syntax = BricsSyntax.of(node);
        CompileCancellation.check();
        try {
            Automaton automaton = new RegExp(syntax.text(), RegExp.INTERSECTION | RegExp.AUTOMATON)
                    .toAutomaton(syntax.automata(), false);
            CompileCancellation.check(); // brics itself cannot be interrupted: stop as soon as it returns
            return automaton;
        } catch (StackOverflowError e) {
            // brics parses and builds recursively; the nesting limits keep this out of reach on usual stacks
            throw new GrammarException("grammar too complex: nested too deeply");
        } catch (IllegalArgumentException e) {
            // the text is generated, so this is a bug here, not in the client's grammar
            throw new IllegalStateException("brics refused generated syntax: " + e.getMessage(), e);
        }
    }
}

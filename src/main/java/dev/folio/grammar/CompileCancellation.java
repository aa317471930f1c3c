package dev.folio.grammar;

import java.util.concurrent.CancellationException;

/**
 * Cooperative cancellation of a compile: the loops that grow with a grammar's size call {@link #check()}, so a
 * compile whose time budget ran out (its thread interrupted) stops within one step instead of running on. brics'
 * own construction of the automaton cannot be interrupted; it is bounded in size beforehand ({@link NfaSize}).
 */
final class CompileCancellation {

    private CompileCancellation() {}

    /** @throws CancellationException if this thread was interrupted (the flag is cleared, as the compile ends here) */
    static void check() {
        if (Thread.interrupted()) {
            throw new CancellationException("grammar compilation was cancelled");
        }
    }
}

package dev.folio.training;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) or SIGTERM while the CLI trains: the first asks the run to stop at its next step, so it is recorded, its
 * lock released and its resumption printed, and the process then exits with 128 + the signal's number as a shell expects.
 * A second signal quits at once. Closing restores the JVM's own handlers.
 */
final class StopSignals implements AutoCloseable {

    private static final List<String> NAMES = List.of("INT", "TERM");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile int received;

    private StopSignals() {}

    static StopSignals install() {
        StopSignals stop = new StopSignals();
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                stop.previous.add(Signal.handle(signal, stop::onSignal));
                stop.signals.add(signal);
            } catch (IllegalArgumentException e) {
                // not on this platform, or the JVM keeps it (-Xrs): the default stays
            }
        }
        return stop;
    }

    private void onSignal(Signal signal) {
        if (received != 0) {
            Runtime.getRuntime().halt(128 + signal.getNumber()); // asked twice: the lock is taken over as a dead process's
        }
        received = signal.getNumber();
        System.err.println();
        System.err.println("SIG" + signal.getName() + ": stopping after this step (again to quit at once)");
    }

    boolean requested() {
        return received != 0;
    }

    /** What the process exits with after a stop: 130 after Ctrl-C, 143 after SIGTERM. */
    int exitCode() {
        return 128 + received;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}

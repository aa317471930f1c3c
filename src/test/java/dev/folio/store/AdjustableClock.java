package dev.folio.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock, plus however far a test has moved it on. Version and run ids have one-second resolution: a store on
 * this clock names its next version (or run) for a later second as soon as the test calls {@link #advance}, without the
 * test sleeping for one. Time still passes between the calls, as it does for a store on the system clock.
 */
public final class AdjustableClock extends Clock {

    private final Clock system = Clock.systemUTC();
    private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

    /** Moves the clock on; the next reading is at least {@code by} after any reading before. */
    public void advance(Duration by) {
        ahead.updateAndGet(d -> d.plus(by));
    }

    @Override
    public Instant instant() {
        return system.instant().plus(ahead.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone)) {
            throw new UnsupportedOperationException("an AdjustableClock is always UTC, as version ids are");
        }
        return this;
    }
}

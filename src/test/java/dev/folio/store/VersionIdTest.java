package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A new version id: the clock's second, always after every version already there. */
class VersionIdTest {

    private static final Clock AT_174500 = Clock.fixed(Instant.parse("2026-11-28T17:45:00.700Z"), ZoneOffset.UTC);

    @Test
    void aFirstVersionIsNamedForTheClocksSecond() {
        assertThat(VersionId.at(VersionId.next(AT_174500, Optional.empty()))).isEqualTo("v20261128-174500");
    }

    @Test
    void aVersionAfterAnOlderOneIsNamedForTheClocksSecond() {
        assertThat(VersionId.at(VersionId.next(AT_174500, Optional.of("v20261128-174400")))).isEqualTo("v20261128-174500");
    }

    @Test
    void aSecondVersionInTheSameSecondTakesTheNextSecond() {
        assertThat(VersionId.at(VersionId.next(AT_174500, Optional.of("v20261128-174500")))).isEqualTo("v20261128-174501");
    }

    @Test
    void aVersionAfterOnesDatedAheadOfTheClockStillSortsLast() {
        assertThat(VersionId.at(VersionId.next(AT_174500, Optional.of("v20261128-180000")))).isEqualTo("v20261128-180001");
    }
}

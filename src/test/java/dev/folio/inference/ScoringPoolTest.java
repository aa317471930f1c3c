package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScoringPoolTest {

    @Test
    void scoresAtMostTheLimitAtOnceAndRefusesTheNextAtOnce() throws Exception {
        try (ScoringPool pool = new ScoringPool(2)) {
            CountDownLatch started = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> pool.run(() -> block(started, release, "first")));
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> pool.run(() -> block(started, release, "second")));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.inFlight()).isEqualTo(2);

            assertThatThrownBy(() -> pool.run(() -> "third"))
                    .isInstanceOf(ConcurrencyLimiter.OverloadedException.class)
                    .hasMessageContaining("2 texts are already being scored");

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
            assertThat(pool.run(() -> "after")).isEqualTo("after");
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void runsOnItsOwnFewThreadsAndPassesFailuresThrough() {
        try (ScoringPool pool = new ScoringPool(2)) {
            Set<String> threads = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                threads.add(pool.run(() -> Thread.currentThread().getName()));
            }
            assertThat(threads).isNotEmpty().hasSizeLessThanOrEqualTo(2).allMatch(name -> name.startsWith("scoring-"));

            assertThatThrownBy(() -> pool.run(() -> {
                throw new IllegalArgumentException("bad text");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad text");
            assertThat(pool.inFlight()).as("a failure gives its place back").isZero();
        }
    }

    private static String block(CountDownLatch started, CountDownLatch release, String result) {
        started.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result;
    }
}

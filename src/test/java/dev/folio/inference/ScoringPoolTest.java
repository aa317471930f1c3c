package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.folio.engine.DjlOffline;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScoringPoolTest {

    @BeforeAll
    static void loadLibtorch() {
        DjlOffline.apply();
        Engine.getEngine("PyTorch"); // the pool sets libtorch's thread count on its threads
    }

    @Test
    void queuesUpToTheAdmittedCountBehindItsThreadsAndRefusesTheNextAtOnce() throws Exception {
        ExecutorService callers = Executors.newCachedThreadPool(); // request threads, one per caller
        try (ScoringPool pool = new ScoringPool(1, 2)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> pool.run(() -> block(started, release, "first")), callers);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> pool.run(() -> "second"), callers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.inFlight() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the second is admitted and waits behind the one thread
            }
            assertThat(pool.inFlight()).isEqualTo(2);
            assertThat(second).isNotDone();

            assertThatThrownBy(() -> pool.run(() -> "third"))
                    .isInstanceOf(ConcurrencyLimiter.OverloadedException.class)
                    .hasMessageContaining("2 texts are already being scored or waiting");

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
            assertThat(pool.run(() -> "after")).isEqualTo("after");
            assertThat(pool.inFlight()).isZero();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void runsOnItsOwnFewThreadsAndPassesFailuresThrough() {
        try (ScoringPool pool = new ScoringPool(2, 4)) {
            Set<String> threads = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                threads.add(pool.run(() -> Thread.currentThread().getName() + " with " + JniUtils.getNumThreads() + " libtorch thread"));
            }
            assertThat(threads).isNotEmpty().hasSizeLessThanOrEqualTo(2)
                    .allMatch(name -> name.startsWith("scoring-") && name.endsWith(" with 1 libtorch thread"));

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

package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.grammar.GrammarLimits;
import dev.folio.inference.ConcurrencyLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The grammar cache and the compile pool, with real compiles: refusals remembered, one compile per key, the time budget. */
class GrammarCacheTest {

    private static final String VOCABULARY = "abcdefghijklmnopqrstuvwxyz ,.\n";

    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static GrammarCache.Key regex(String pattern) {
        return new GrammarCache.Key("regex", pattern, VOCABULARY);
    }

    private GrammarCache compilingOn(ExecutorService executor) {
        return new GrammarCache(8, key -> CompletableFuture.supplyAsync(() -> Grammars.compileNow(key, GrammarLimits.DEFAULT), executor));
    }

    @Test
    void aRefusalIsRememberedAndNotCompiledAgain() {
        GrammarCache cache = compilingOn(threads);
        GrammarCache.Key tooComplex = regex("(a|b)*a(a|b){40}");

        GrammarCache.Outcome first = cache.get(tooComplex).join();
        GrammarCache.Outcome second = cache.get(tooComplex).join();

        assertThat(first.refusal()).contains("grammar too complex");
        assertThat(second).isSameAs(first);
        assertThat(cache.compiles()).isEqualTo(1);
    }

    @Test
    void aGrammarIsRememberedAndTheLeastRecentlyUsedForgotten() {
        GrammarCache cache = compilingOn(threads);
        GrammarCache.Outcome kept = cache.get(regex("a+")).join();
        for (int i = 0; i < 8; i++) {
            cache.get(regex("a+")).join(); // used most recently each time
            cache.get(regex("b{" + (i + 1) + "}")).join();
        }

        assertThat(kept.grammar()).isNotNull();
        assertThat(cache.get(regex("a+")).join()).isSameAs(kept);
        assertThat(cache.size()).isEqualTo(8);
        assertThat(cache.compiles()).isEqualTo(9);
        cache.get(regex("b{1}")).join(); // forgotten: compiled again
        assertThat(cache.compiles()).isEqualTo(10);
    }

    @Test
    void concurrentRequestsForOneGrammarShareOneCompile() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        GrammarCache cache = new GrammarCache(8, key -> CompletableFuture.supplyAsync(() -> {
            try {
                release.await(); // holds the compile in flight until every request has asked
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Grammars.compileNow(key, GrammarLimits.DEFAULT);
        }, threads));
        ExecutorService requests = Executors.newFixedThreadPool(8);
        CountDownLatch allAsked = new CountDownLatch(16);
        try {
            List<CompletableFuture<CompletableFuture<GrammarCache.Outcome>>> asked = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                asked.add(CompletableFuture.supplyAsync(() -> {
                    CompletableFuture<GrammarCache.Outcome> outcome = cache.get(regex("[a-z]+ [a-z]+"));
                    allAsked.countDown();
                    return outcome;
                }, requests));
            }
            allAsked.await(); // every request has asked while the one compile is still in flight
            release.countDown();
            GrammarCache.Outcome first = asked.get(0).join().join();
            assertThat(first.grammar()).isNotNull();
            for (CompletableFuture<CompletableFuture<GrammarCache.Outcome>> outcome : asked) {
                assertThat(outcome.join().join()).isSameAs(first);
            }
        } finally {
            requests.shutdownNow();
        }
        assertThat(cache.compiles()).isEqualTo(1);
    }

    @Test
    void aCompileOverItsBudgetIsRefusedStoppedAndItsThreadFreed() {
        try (WorkPool pool = new WorkPool("test-compile", 1, 4, "grammars are waiting")) {
            GrammarCache.Outcome overTime = GrammarCache.Outcome.refused("compiling it takes longer than 1 ms");
            GrammarCache cache = new GrammarCache(8, key -> pool.submit(() -> Grammars.compileNow(key, GrammarLimits.DEFAULT),
                    Duration.ofMillis(1), () -> overTime));

            assertThat(cache.get(regex("(x?){400}")).join()).isSameAs(overTime);
            assertThat(cache.get(regex("(x?){400}")).join()).as("remembered").isSameAs(overTime);
            assertThat(cache.compiles()).isEqualTo(1);
            // the one thread was interrupted out of the first compile: the next one gets a verdict of its own
            CompletableFuture<GrammarCache.Outcome> next = pool.submit(() -> Grammars.compileNow(regex("[a-z]"), GrammarLimits.DEFAULT));
            assertThat(next.join().grammar()).isNotNull();
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnce() {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkPool pool = new WorkPool("test-queue", 1, 1, "grammars are waiting")) {
            pool.submit(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 1;
            });
            // the first may or may not have left the queue for the thread yet: at most two fit
            assertThatThrownBy(() -> {
                for (int i = 0; i < 3; i++) {
                    pool.submit(() -> 2);
                }
            }).isInstanceOf(ConcurrencyLimiter.OverloadedException.class).hasMessageContaining("grammars are waiting");
            release.countDown();
        }
    }

    @Test
    void aWaitIsBoundedAndACompileNobodyWaitsForIsDroppedUnstarted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        try (WorkPool pool = new WorkPool("test-wait", 1, 4, "grammars are waiting")) {
            GrammarCache cache = new GrammarCache(8, key -> pool.submit(() -> {
                ran.incrementAndGet();
                return Grammars.compileNow(key, GrammarLimits.DEFAULT);
            }));
            CompletableFuture<Integer> busy = pool.submit(() -> { // holds the pool's one thread
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 1;
            });
            assertThatThrownBy(() -> cache.await(regex("[a-z]+"), Duration.ofMillis(50)))
                    .isInstanceOf(ConcurrencyLimiter.OverloadedException.class).hasMessageContaining("did not compile within 50 ms");
            release.countDown();
            busy.join();
            pool.submit(() -> 0).join(); // the queue has drained past the dropped compile
            assertThat(ran.get()).as("the compile its only client gave up on never ran").isZero();
            assertThat(cache.size()).as("and nothing was remembered for it").isZero();
            assertThat(cache.await(regex("[a-z]+"), Duration.ofSeconds(30)).grammar()).as("asked again, it compiles").isNotNull();
            assertThat(ran.get()).isEqualTo(1);
        }
    }
}

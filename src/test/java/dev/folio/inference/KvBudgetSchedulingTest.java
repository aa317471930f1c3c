package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.model.GptConfig;
import dev.folio.model.SlotKvCache;
import dev.folio.store.LoadedModel;
import dev.folio.store.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV memory budget: requests are admitted while the batch's cache, at every admitted request's longest, fits it;
 * the rest wait in order, and none of them fails or changes its text for want of memory halfway.
 */
public class KvBudgetSchedulingTest {

    @TempDir
    Path root;
    private LoadedModel model;
    private GptConfig config;
    private DecodeScheduler scheduler;

    @BeforeEach
    void setUp() throws IOException {
        model = TestModels.publishAndLoad(root, 11);
        config = model.gpt().config();
    }

    @AfterEach
    void tearDown() {
        if (scheduler != null) {
            scheduler.close();
        }
        model.close();
    }

    /** A request that needs the whole window: its prompt and new tokens reach past it, so it also shifts its context. */
    private GenerationRequest windowFilling(int i) {
        int[] prompt = DecodingRules.encodePrompt(model, "to be or not " + "abcdef".charAt(i), null);
        return new GenerationRequest(prompt, new SamplingParameters(config.blockSize() + 9, true, 0.9f, null, null, 70L + i, List.of(), 1f), 0,
                false);
    }

    /** Records, on the scheduler's thread, when each request starts and ends and the most the scheduler ran and held. */
    private final class Watch implements GenerationListener {
        final int id;
        final List<String> events;
        final AtomicInteger mostRunning;
        final AtomicLong mostBytes;
        private boolean started;

        Watch(int id, List<String> events, AtomicInteger mostRunning, AtomicLong mostBytes) {
            this.id = id;
            this.events = events;
            this.mostRunning = mostRunning;
            this.mostBytes = mostBytes;
        }

        @Override
        public void onToken(Generation.GeneratedToken token, boolean last) {
            if (!started) {
                started = true;
                events.add("start " + id);
            }
            if (last) {
                events.add("end " + id);
            }
            mostRunning.accumulateAndGet(scheduler.running(), Math::max);
            mostBytes.accumulateAndGet(scheduler.kvCacheBytes(), Math::max);
        }
    }

    @Test
    void aBudgetForTwoWindowsRunsTwoAtATimeInOrderAndEveryRequestCompletesAsAlone() {
        long budget = SlotKvCache.bytes(config, 2, config.blockSize());
        scheduler = new DecodeScheduler(8, 64, 1, new KvBudget(budget));
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicLong mostBytes = new AtomicLong();
        List<CompletableFuture<Generation>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(scheduler.submit(model, windowFilling(i), new Watch(i, events, mostRunning, mostBytes)));
        }
        Generator alone = new Generator();
        for (int i = 0; i < 6; i++) {
            Generation expected = alone.generate(model, windowFilling(i), GenerationListener.NONE);
            Generation actual = results.get(i).join();
            assertThat(actual.tokens()).as("request %d ran to its end", i).hasSize(config.blockSize() + 9);
            assertThat(actual.generatedText()).as("request %d, batched under the budget", i).isEqualTo(expected.generatedText());
        }
        assertThat(mostRunning.get()).as("two windows' worth of memory admits two requests").isEqualTo(2);
        assertThat(mostBytes.get()).as("the cache never outgrew the budget").isPositive().isLessThanOrEqualTo(budget);
        List<String> starts = events.stream().filter(e -> e.startsWith("start")).toList();
        assertThat(starts).as("waiting requests start in the order they came").containsExactly("start 0", "start 1", "start 2", "start 3",
                "start 4", "start 5");
        for (int i = 2; i < 6; i++) { // a third starts only once one of the two before it gave its memory back
            int third = events.indexOf("start " + i);
            long endedBefore = events.subList(0, third).stream().filter(e -> e.startsWith("end")).count();
            assertThat(endedBefore).as("requests ended before request %d started", i).isGreaterThanOrEqualTo(i - 1);
        }
        assertThat(kvCacheBytesOnceSettled(scheduler)).as("an idle scheduler holds no KV memory").isZero();
    }

    /**
     * The scheduler's KV gauge once it has recorded the iteration that finished the last request (it records after
     * each iteration, and a result completes within one): waits up to 30 s for it to read 0, then returns what it reads.
     */
    public static long kvCacheBytesOnceSettled(DecodeScheduler scheduler) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (scheduler.kvCacheBytes() != 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return scheduler.kvCacheBytes();
    }

    @Test
    void shortRequestsShareWhatOneLongRequestWouldTake() {
        int shortPositions = 8;
        long budget = SlotKvCache.bytes(config, 4, shortPositions); // less than one window, enough for four short requests
        scheduler = new DecodeScheduler(8, 64, 1, new KvBudget(budget));
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicLong mostBytes = new AtomicLong();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Generation>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] prompt = DecodingRules.encodePrompt(model, "ab", null);
            SamplingParameters sampling = new SamplingParameters(shortPositions - prompt.length, true, 1f, null, null, 5L + i, List.of(), 1f);
            results.add(scheduler.submit(model, new GenerationRequest(prompt, sampling, 0, false), new Watch(i, events, mostRunning, mostBytes)));
        }
        results.forEach(result -> assertThat(result.join().tokens()).hasSize(shortPositions - 2));
        assertThat(mostRunning.get()).isEqualTo(4);
        assertThat(mostBytes.get()).isLessThanOrEqualTo(budget);
    }

    @Test
    void aRequestLargerThanTheWholeBudgetIsRefusedAndOthersAreServed() {
        KvBudget budget = new KvBudget(SlotKvCache.bytes(config, 1, 10));
        scheduler = new DecodeScheduler(8, 64, 1, budget);
        int[] prompt = DecodingRules.encodePrompt(model, "abcd", null);
        assertThat(budget.fitsAlone(config, KvBudget.positionsNeeded(config, prompt.length, 20))).isFalse();
        CompletableFuture<Generation> tooLarge = scheduler.submit(model, GenerationRequest.of(prompt, SamplingParameters.greedy(20)),
                GenerationListener.NONE);
        CompletableFuture<Generation> fits = scheduler.submit(model, GenerationRequest.of(prompt, SamplingParameters.greedy(6)),
                GenerationListener.NONE);
        assertThatThrownBy(() -> DecodeScheduler.await(tooLarge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positions of KV memory").hasMessageContaining("holds 10");
        assertThat(fits.join().tokens()).hasSize(6);
    }
}

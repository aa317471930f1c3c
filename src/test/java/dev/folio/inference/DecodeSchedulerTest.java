package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.pytorch.jni.JniUtils;
import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import dev.folio.model.StepThreads;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Continuous batching against the one-request-at-a-time {@link Generator}, and the scheduler's bookkeeping. */
class DecodeSchedulerTest {

    @TempDir
    Path root;
    private LoadedModel model;
    private DecodeScheduler scheduler;

    @BeforeEach
    void setUp() throws IOException {
        model = TestModels.publishAndLoad(root, 5);
    }

    @AfterEach
    void tearDown() {
        if (scheduler != null) {
            scheduler.close();
        }
        model.close();
    }

    private static final String[] PROMPTS = {"a", "to be or not", "the quick brown fox jumps over the lazy dog and on and on and on",
            "hello, world.\n", "zz", "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz", "q", "methinks"};

    /** Varied requests: sampled and greedy, short and past the context window, with stop sequences, top-n and prefill. */
    private GenerationRequest request(int i) {
        int window = model.gpt().config().blockSize();
        int tokens = i % 5 == 0 ? 3 * window + 7 : 5 + 11 * (i % 4);
        List<String> stop = i % 7 == 3 ? List.of("e ") : List.of();
        SamplingParameters sampling = i % 6 == 1 ? SamplingParameters.greedy(tokens)
                : new SamplingParameters(tokens, true, 0.8f + 0.1f * (i % 3), i % 4 == 2 ? 5 : null, i % 4 == 3 ? 0.9f : null, 1000L + i, stop,
                        i % 5 == 4 ? 1.3f : 1f);
        return new GenerationRequest(DecodingRules.encodePrompt(model, PROMPTS[i % PROMPTS.length], null), sampling, i % 3, i % 2 == 0);
    }

    /** Requests each with other processors: logit bias, both kinds of penalty, typical-p, repetition, a grammar, or none. */
    private GenerationRequest processed(int i) {
        String vocabulary = model.tokenizer().vocabulary();
        LogitAdjustments adjustments = switch (i % 7) {
            case 0 -> new LogitAdjustments(Map.of(model.tokenizer().encode(" ")[0], -100f, 3, 4f), 0f, 0f, 0f, null, null);
            case 1 -> new LogitAdjustments(Map.of(), 0.8f, 0.4f, 0f, null, null);
            case 2 -> new LogitAdjustments(Map.of(), 0f, 0f, 1.5f, null, null);
            case 3 -> new LogitAdjustments(Map.of(), 0f, 0f, 0f, 0.6f, null);
            case 4 -> new LogitAdjustments(Map.of(), 0f, 0f, 0f, null,
                    TokenGrammar.regex("(to|be)( (or|not|to|be)){2,8}\\.", vocabulary, GrammarLimits.DEFAULT));
            case 5 -> new LogitAdjustments(Map.of(), 0f, 0f, 0f, null, TokenGrammar.regex("[a-z]+(, [a-z]+)*", vocabulary, GrammarLimits.DEFAULT));
            default -> LogitAdjustments.NONE;
        };
        SamplingParameters sampling = new SamplingParameters(20 + 7 * (i % 5), i % 3 != 0, 0.9f, null, null, 500L + i, List.of(),
                i % 7 == 6 ? 1.2f : 1f, adjustments);
        return new GenerationRequest(DecodingRules.encodePrompt(model, PROMPTS[i % PROMPTS.length], null), sampling, i % 2, false);
    }

    @Test
    void decodingStepsRunOnOneThreadBelowTheRuleAndOnTheConfiguredCountFromIt() {
        scheduler = new DecodeScheduler(64, 64, 2, 4, KvBudget.UNLIMITED);
        StepThreads fixed = StepThreads.fixed(4, 2);
        assertThat(threadsByStepSize(1)).as("1 row").containsOnlyKeys(1).allSatisfy((rows, threads) -> assertThat(threads).containsOnly(1));
        Map<Integer, Set<Integer>> six = threadsByStepSize(6);
        assertThat(six.keySet()).as("steps of 4 rows or more were seen").anyMatch(rows -> rows >= 4);
        six.forEach((rows, threads) -> assertThat(threads).as("%d rows", rows).containsOnly(fixed.threadsFor(rows, 2)));
        scheduler.close();
        scheduler = new DecodeScheduler(64, 64, 2); // the model's own rule, measured when it loaded
        StepThreads measured = model.inference().stepThreads();
        threadsByStepSize(6).forEach((rows, threads) -> assertThat(threads).as("%d rows, %s", rows, measured.describe())
                .containsOnly(measured.threadsFor(rows, 2)));
    }

    /**
     * {@code rows} requests submitted together: for each decoding step, the rows it ran (the tokens it gave) and
     * libtorch's thread count on the scheduler's thread while it ran (listeners run there, inside the step).
     */
    private Map<Integer, Set<Integer>> threadsByStepSize(int rows) {
        Map<Long, List<Integer>> threadsByStep = new ConcurrentHashMap<>();
        List<CompletableFuture<Generation>> running = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            running.add(scheduler.submit(model, GenerationRequest.of(DecodingRules.encodePrompt(model, "to be", null), SamplingParameters.greedy(20)),
                    new GenerationListener() {
                        private int tokens;

                        @Override
                        public void onToken(Generation.GeneratedToken token, boolean last) {
                            if (++tokens > 1) { // the first comes from the prefill
                                threadsByStep.computeIfAbsent(scheduler.steps(), step -> Collections.synchronizedList(new ArrayList<>()))
                                        .add(JniUtils.getNumThreads());
                            }
                        }
                    }));
        }
        running.forEach(CompletableFuture::join);
        Map<Integer, Set<Integer>> byRows = new TreeMap<>();
        threadsByStep.values().forEach(threads -> byRows.computeIfAbsent(threads.size(), n -> new TreeSet<>()).addAll(threads));
        return byRows;
    }

    @Test
    void processorsGiveTheSameTextAloneAndInABatchOf32() {
        scheduler = new DecodeScheduler(32, 64, 1);
        Generator alone = new Generator();
        List<CompletableFuture<Generation>> batched = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            batched.add(scheduler.submit(model, processed(i), GenerationListener.NONE));
        }
        for (int i = 0; i < 32; i++) {
            Generation expected = alone.generate(model, processed(i), GenerationListener.NONE);
            Generation actual = batched.get(i).join();
            assertThat(actual.generatedText()).as("request %d", i).isEqualTo(expected.generatedText());
            assertThat(actual.finishReason()).as("request %d", i).isEqualTo(expected.finishReason());
            if (i % 7 == 0) {
                assertThat(actual.generatedText()).as("a banned space never appears").doesNotContain(" ");
            }
            if (i % 7 == 4) {
                assertThat(actual.generatedText()).as("request %d follows its grammar", i)
                        .satisfiesAnyOf(t -> assertThat(t).matches("(to|be)( (or|not|to|be)){2,8}\\."),
                                t -> assertThat(actual.finishReason()).isEqualTo(FinishReason.LENGTH));
            }
        }
    }

    @Test
    void requestsDecodedTogetherComeOutExactlyAsEachAlone() {
        scheduler = new DecodeScheduler(4, 5, 1); // fewer slots than requests, and prompts prefilled in chunks of 5
        Generator alone = new Generator();
        int count = 16;
        List<CompletableFuture<Generation>> batched = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batched.add(scheduler.submit(model, request(i), GenerationListener.NONE));
        }
        for (int i = 0; i < count; i++) {
            Generation expected = alone.generate(model, request(i), GenerationListener.NONE);
            Generation actual = batched.get(i).join();
            assertThat(actual.generatedText()).as("request %d", i).isEqualTo(expected.generatedText());
            assertThat(actual.finishReason()).as("request %d", i).isEqualTo(expected.finishReason());
            if (request(i).sampling().seed() != null) {
                assertThat(actual.seed()).isEqualTo(expected.seed());
            }
            assertThat(actual.prefill()).hasSameSizeAs(expected.prefill());
            for (int t = 0; t < expected.tokens().size(); t++) {
                Generation.GeneratedToken e = expected.tokens().get(t);
                Generation.GeneratedToken a = actual.tokens().get(t);
                assertThat(a.logprob()).as("request %d token %d", i, t).isCloseTo(e.logprob(), offset(1e-4f));
                assertThat(a.topTokens()).extracting(Generation.TokenLogprob::id).isEqualTo(e.topTokens().stream().map(Generation.TokenLogprob::id).toList());
            }
            for (int t = 1; t < expected.prefill().size(); t++) {
                assertThat(actual.prefill().get(t).logprob()).isCloseTo(expected.prefill().get(t).logprob(), offset(1e-4f));
            }
        }
        assertThat(scheduler.running()).isZero();
    }

    private static void assertOnlyTheLastFlagged(Generation generation, LastFlags listener, String what) {
        int count = generation.tokens().size();
        assertThat(listener.flags).as(what).hasSize(count).last().isEqualTo(true);
        assertThat(listener.flags.subList(0, count - 1)).as(what).doesNotContain(true);
    }

    /** Records, per token, whether the listener was told it is the last. */
    private static final class LastFlags implements GenerationListener {
        final List<Boolean> flags = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onToken(Generation.GeneratedToken token, boolean last) {
            flags.add(last);
        }
    }

    @Test
    void exactlyTheLastTokenIsMarkedLastWhetherTheGenerationStopsOrRunsOut() {
        scheduler = new DecodeScheduler(4, 5, 1);
        Generator alone = new Generator();
        int[] prompt = DecodingRules.encodePrompt(model, "to be", null);
        String fourth = alone.generate(model, GenerationRequest.of(prompt, SamplingParameters.greedy(20)), GenerationListener.NONE)
                .generatedText().substring(3, 4);
        List<GenerationRequest> requests = new ArrayList<>(List.of( // greedy again, stopping at its fourth character at the latest
                GenerationRequest.of(prompt, new SamplingParameters(20, false, 1f, null, null, null, List.of(fourth)))));
        for (int i = 0; i < 8; i++) {
            requests.add(request(i));
        }
        List<FinishReason> finishes = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            LastFlags batched = new LastFlags();
            LastFlags single = new LastFlags();
            Generation fromScheduler = scheduler.submit(model, requests.get(i), batched).join();
            assertOnlyTheLastFlagged(fromScheduler, batched, "scheduler, request " + i);
            assertOnlyTheLastFlagged(alone.generate(model, requests.get(i), single), single, "Generator, request " + i);
            finishes.add(fromScheduler.finishReason());
        }
        assertThat(finishes).as("both ways of ending are covered").contains(FinishReason.STOP_SEQUENCE, FinishReason.LENGTH);
    }

    @Test
    void promptsPrefilledTogetherInOnePaddedPassComeOutAsEachAlone() {
        scheduler = new DecodeScheduler(8, 64, 1);
        Generator alone = new Generator();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String prompt = PROMPTS[i % PROMPTS.length].substring(0, Math.min(9, PROMPTS[i % PROMPTS.length].length())); // different lengths, all short
            requests.add(new GenerationRequest(DecodingRules.encodePrompt(model, prompt, null),
                    new SamplingParameters(20, true, 1f, null, null, 50L + i, List.of()), 2, true));
        }
        List<CompletableFuture<Generation>> batched = requests.stream().map(r -> scheduler.submit(model, r, GenerationListener.NONE)).toList();
        for (int i = 0; i < requests.size(); i++) {
            Generation expected = alone.generate(model, requests.get(i), GenerationListener.NONE);
            Generation actual = batched.get(i).join();
            assertThat(actual.generatedText()).as("request %d", i).isEqualTo(expected.generatedText());
            for (int t = 1; t < expected.prefill().size(); t++) {
                assertThat(actual.prefill().get(t).logprob()).as("request %d prompt token %d", i, t)
                        .isCloseTo(expected.prefill().get(t).logprob(), offset(1e-4f));
            }
        }
        assertThat(scheduler.batchedPrefills()).as("several prompts shared a prefill pass").isPositive();
    }

    @Test
    void twoModelVersionsDecodeSideBySideDuringASwap() throws IOException {
        ModelStore store = new ModelStore(root);
        ModelMetadata next = TestModels.publish(store, 6); // different weights: a newer version
        try (LoadedModel newer = store.load(TestModels.NAME, next.version())) {
            scheduler = new DecodeScheduler(8, 64, 1);
            Generator alone = new Generator();
            List<CompletableFuture<Generation>> older = new ArrayList<>();
            List<CompletableFuture<Generation>> newest = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                older.add(scheduler.submit(model, request(i), GenerationListener.NONE));
                newest.add(scheduler.submit(newer, request(i), GenerationListener.NONE));
            }
            for (int i = 0; i < 4; i++) {
                Generation o = older.get(i).join();
                Generation n = newest.get(i).join();
                assertThat(o.modelVersion()).isEqualTo(model.version());
                assertThat(n.modelVersion()).isEqualTo(newer.version());
                assertThat(o.generatedText()).isEqualTo(alone.generate(model, request(i), GenerationListener.NONE).generatedText());
                assertThat(n.generatedText()).isEqualTo(alone.generate(newer, request(i), GenerationListener.NONE).generatedText());
            }
            assertThat(scheduler.running()).isZero();
        }
    }

    @Test
    void neverDecodesMoreThanTheBatchAllowsAndServesTheWaitingInTurn() {
        scheduler = new DecodeScheduler(2, 64, 1);
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicInteger mostWaiting = new AtomicInteger();
        GenerationListener observer = new GenerationListener() {
            @Override
            public void onToken(Generation.GeneratedToken token, boolean last) {
                mostRunning.accumulateAndGet(scheduler.running(), Math::max);
                mostWaiting.accumulateAndGet(scheduler.waiting(), Math::max);
            }
        };
        List<CompletableFuture<Generation>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(scheduler.submit(model, GenerationRequest.of(new int[] {1, 2, 3}, SamplingParameters.greedy(40)), observer));
        }
        futures.forEach(f -> assertThat(f.join().tokens()).hasSize(40));
        assertThat(mostRunning.get()).isEqualTo(2);
        assertThat(mostWaiting.get()).isPositive();
        assertThat(scheduler.running()).isZero();
    }

    @Test
    void aCancelledRequestLeavesAtOnceAndFreesItsSlot() throws Exception {
        scheduler = new DecodeScheduler(1, 64, 1);
        AtomicInteger tokens = new AtomicInteger();
        GenerationListener givesUpAfterThree = new GenerationListener() {
            @Override
            public void onToken(Generation.GeneratedToken token, boolean last) {
                tokens.incrementAndGet();
            }

            @Override
            public boolean cancelled() {
                return tokens.get() >= 3;
            }
        };
        CompletableFuture<Generation> cancelled = scheduler.submit(model, GenerationRequest.of(new int[] {1}, SamplingParameters.greedy(2000)), givesUpAfterThree);
        CompletableFuture<Generation> next = scheduler.submit(model, GenerationRequest.of(new int[] {2}, SamplingParameters.greedy(10)), GenerationListener.NONE);
        assertThatThrownBy(cancelled::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(GenerationCancelledException.class);
        assertThat(tokens.get()).isEqualTo(3);
        assertThat(next.get(30, TimeUnit.SECONDS).tokens()).as("the one slot went to the waiting request").hasSize(10);
        assertThat(scheduler.running()).isZero();
    }

    @Test
    void aFailingListenerEndsOnlyItsOwnRequest() {
        scheduler = new DecodeScheduler(4, 64, 1);
        GenerationListener broken = new GenerationListener() {
            @Override
            public void onToken(Generation.GeneratedToken token, boolean last) {
                throw new IllegalStateException("client socket broke");
            }
        };
        CompletableFuture<Generation> healthy = scheduler.submit(model, GenerationRequest.of(new int[] {1, 2}, SamplingParameters.greedy(50)), GenerationListener.NONE);
        CompletableFuture<Generation> failing = scheduler.submit(model, GenerationRequest.of(new int[] {3}, SamplingParameters.greedy(50)), broken);
        assertThatThrownBy(failing::join).hasRootCauseMessage("client socket broke");
        assertThat(healthy.join().tokens()).hasSize(50);
        assertThat(scheduler.running()).isZero();
    }

    @Test
    void requestsLeaveNoNativeArraysBehind() {
        scheduler = new DecodeScheduler(4, 8, 1);
        Runnable round = () -> {
            List<CompletableFuture<Generation>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(scheduler.submit(model, request(i), GenerationListener.NONE));
            }
            futures.forEach(CompletableFuture::join);
        };
        round.run();
        int scheduler0 = scheduler.liveArrays();
        int model0 = model.model().getNDManager().getManagedArrays().size();
        for (int i = 0; i < 5; i++) {
            round.run();
        }
        assertThat(scheduler0).as("the slot caches are given back once the batch empties").isZero();
        assertThat(scheduler.liveArrays()).isEqualTo(scheduler0);
        assertThat(model.model().getNDManager().getManagedArrays()).hasSize(model0);
    }
}

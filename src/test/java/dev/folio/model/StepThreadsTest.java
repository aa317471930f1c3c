package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The decoding step's thread rule, measured at load: the threshold follows the probes, the measured rule is what the
 * served passes carry, and the thread count never changes a step's logits (so choosing it by speed is safe).
 */
class StepThreadsTest {

    private static final GptConfig CONFIG = new GptConfig(17, 48, 2, 2, 32, 0f, true);

    @Test
    void allThreadsServeFromTheFirstClearWinWhenNoLargerProbeIsSlower() {
        assertThat(StepThreads.threshold(probes(1.2, 0.75, 0.67, 0.6))).isEqualTo(4);
        assertThat(StepThreads.threshold(probes(0.5, 0.5, 0.5, 0.5))).isEqualTo(1);
        assertThat(StepThreads.threshold(probes(0.76, 0.76, 0.74, 0.87)))
                .as("a larger probe short of a clear win but not slower does not stop the run (a 12 × 768 model, measured)").isEqualTo(1);
        assertThat(StepThreads.threshold(probes(2.0, 0.5, 1.03, 0.6))).as("a win at 4 rows that is lost at 8 does not count").isEqualTo(16);
        assertThat(StepThreads.threshold(probes(1.04, 0.93, 0.86, 0.94)))
                .as("never a clear win: one thread up to the largest probe (the bundled model, measured)").isEqualTo(17);
        assertThat(StepThreads.threshold(probes(0.9, 0.5, 0.5, 0.5))).as("within the margin is a tie, and a tie keeps one thread").isEqualTo(4);
    }

    @Test
    void theRuleGivesOneThreadBelowTheThresholdAndTheConfiguredCountFromIt() {
        StepThreads rule = StepThreads.fixed(8, 2);
        assertThat(rule.threadsFor(1, 2)).isEqualTo(1);
        assertThat(rule.threadsFor(7, 2)).isEqualTo(1);
        assertThat(rule.threadsFor(8, 2)).isEqualTo(2);
        assertThat(rule.threadsFor(64, 4)).isEqualTo(4);
        assertThat(StepThreads.fixed(1, 2).threadsFor(1, 2)).isEqualTo(2);
    }

    @Test
    void theServedPassesCarryARuleMeasuredAtEveryProbe() {
        try (TestGpt fixture = new TestGpt(CONFIG, 3); ScriptedInference served = ServingPaths.choose(fixture.gpt, fixture.manager)) {
            StepThreads measured = served.stepThreads();
            assertThat(served.servingPath().stepThreads()).isSameAs(measured);
            assertThat(measured.probes()).extracting(StepThreads.Probe::rows).containsExactly(1, 4, 8, 16);
            assertThat(measured.probes()).allSatisfy(p -> assertThat(Math.min(p.oneThreadMs(), p.allThreadsMs())).isPositive());
            assertThat(measured.singleThreadBelowRows()).isEqualTo(StepThreads.threshold(measured.probes()));
            assertThat(measured.threads()).isEqualTo(Math.min(2, Runtime.getRuntime().availableProcessors()));
            assertThat(measured.describe()).contains("measured in").contains("16 rows");
        }
    }

    @Test
    void aShapeIsMeasuredOnceAndItsNextVersionsKeepTheRule() {
        GptConfig other = new GptConfig(17, 32, 2, 2, 24, 0f, true);
        try (TestGpt first = new TestGpt(other, 5); ScriptedInference one = ServingPaths.choose(first.gpt, first.manager);
                TestGpt second = new TestGpt(other, 6); ScriptedInference two = ServingPaths.choose(second.gpt, second.manager);
                TestGpt wider = new TestGpt(CONFIG, 7); ScriptedInference three = ServingPaths.choose(wider.gpt, wider.manager)) {
            assertThat(two.stepThreads()).as("new weights, same shape: a hot reload").isSameAs(one.stepThreads());
            assertThat(three.stepThreads()).as("another shape").isNotSameAs(one.stepThreads());
            assertThat(three.stepThreads().probes()).hasSize(one.stepThreads().probes().size());
        }
    }

    @Test
    void aStepsLogitsAreTheSameOnOneThreadAndOnTwo() throws Exception {
        try (TestGpt fixture = new TestGpt(CONFIG, 4).withRandomBiases();
                ScriptedInference served = ServingPaths.choose(fixture.gpt, fixture.manager)) {
            for (int rows : new int[] {1, 8, 16}) {
                float[] one = onItsOwnThread(() -> steps(served, fixture.manager, rows, 1));
                float[] two = onItsOwnThread(() -> steps(served, fixture.manager, rows, 2));
                assertThat(two).as("%d rows", rows).containsExactly(one);
            }
        }
    }

    /** Five steps of {@code rows} rows at different positions on {@code threads} threads; the last step's logits. */
    private static float[] steps(ScriptedInference inference, NDManager manager, int rows, int threads) {
        IntraOpThreads.set(threads);
        try (GradMode ignored = GradMode.disabled(); NDManager scratch = manager.newSubManager();
                SlotKvCache cache = new SlotKvCache(scratch, CONFIG, rows)) {
            float[] logits = null;
            for (int step = 0; step < 5; step++) {
                int[] tokens = new int[rows];
                int[] positions = new int[rows];
                for (int row = 0; row < rows; row++) {
                    tokens[row] = (row * 7 + step * 3) % CONFIG.vocabSize();
                    positions[row] = step + row % 3; // ragged: the masked step
                }
                try (NDManager pass = scratch.newSubManager()) {
                    logits = inference.decode(pass, tokens, positions, cache).toFloatArray();
                }
            }
            assertThat(logits).hasSize(rows * CONFIG.vocabSize());
            return logits;
        }
    }

    /** On a fresh thread: a thread's OpenMP workers stay with it, so each count gets its own. */
    private static float[] onItsOwnThread(Supplier<float[]> work) throws Exception {
        CompletableFuture<float[]> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        thread.start();
        return result.get();
    }

    /** Probes at 1, 4, 8 and 16 rows whose all-threads time is {@code ratios} of one thread's. */
    private static List<StepThreads.Probe> probes(double... ratios) {
        int[] rows = {1, 4, 8, 16};
        return IntStream.range(0, rows.length).mapToObj(i -> new StepThreads.Probe(rows[i], 2.0, 2.0 * ratios[i])).toList();
    }
}

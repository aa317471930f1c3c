package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.tracker.Tracker;
import ai.djl.ndarray.types.Shape;
import dev.folio.training.config.TrainingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerPiecesTest {

    private static final TrainingConfig CONFIG = TrainingConfig.builder().batchSize(4).maxSteps(1000).learningRate(1e-3f)
            .minLearningRate(1e-4f).warmupSteps(100).evalInterval(100).evalBatches(1).seed(1).build();

    @Test
    void learningRateWarmsUpLinearlyThenDecaysByCosineToTheMinimum() {
        Tracker schedule = LearningRateSchedule.of(CONFIG);
        assertThat(schedule.getNewValue(0)).isZero();
        assertThat(schedule.getNewValue(50)).isCloseTo(5e-4f, within(1e-7f));
        assertThat(schedule.getNewValue(100)).isCloseTo(1e-3f, within(1e-7f));
        assertThat(schedule.getNewValue(550)).isCloseTo(5.5e-4f, within(1e-6f)); // cosine midpoint: (max+min)/2
        assertThat(schedule.getNewValue(1000)).isCloseTo(1e-4f, within(1e-7f));
        assertThat(schedule.getNewValue(600)).isLessThan(schedule.getNewValue(500));
    }

    @Test
    void clipsTheGlobalNormNotEachElementThenZeroesTheGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NamedAdamW optimizer = new NamedAdamW(0.9f, 0.99f, 0f, manager);
            NDArray a = manager.create(new float[] {3f, 0f});
            NDArray b = manager.create(new float[] {0f, 4f});
            float norm = optimizer.update(Map.of("a", manager.zeros(a.getShape()), "b", manager.zeros(b.getShape())), Map.of("a", a, "b", b), 0.1f, 1f);
            assertThat(norm).isCloseTo(5f, within(1e-5f));
            // the first moment is (1 - β1)·g of the clipped gradient: g scaled by 1/5, direction kept
            assertThat(optimizer.firstMoment("a").toFloatArray()).containsExactly(new float[] {0.06f, 0f}, within(1e-6f));
            assertThat(optimizer.firstMoment("b").toFloatArray()).containsExactly(new float[] {0f, 0.08f}, within(1e-6f));
            assertThat(a.toFloatArray()).containsOnly(0f);

            NamedAdamW unclipped = new NamedAdamW(0.9f, 0.99f, 0f, manager);
            NDArray small = manager.create(new float[] {0.1f});
            assertThat(unclipped.update(Map.of("s", manager.zeros(new Shape(1))), Map.of("s", small), 0.1f, 1f)).isCloseTo(0.1f, within(1e-6f));
            assertThat(unclipped.firstMoment("s").getFloat()).as("below the limit: not scaled").isCloseTo(0.01f, within(1e-7f));
        }
    }

    @Test
    void weightDecayShrinksMatricesButNotVectors() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NamedAdamW optimizer = new NamedAdamW(0.9f, 0.99f, 0.1f, manager);
            NDArray matrix = manager.ones(new Shape(2, 2));
            NDArray vector = manager.ones(new Shape(2));
            // a zero gradient leaves Adam's step at 0, so any change is the decoupled decay: w·(1 - lr·wd)
            optimizer.update(Map.of("matrix", matrix, "vector", vector),
                    Map.of("matrix", manager.zeros(matrix.getShape()), "vector", manager.zeros(vector.getShape())), 0.5f);
            assertThat(matrix.toFloatArray()).containsOnly(0.95f);
            assertThat(vector.toFloatArray()).containsOnly(1f);
        }
    }

    @Test
    void adamWMatchesTheTextbookUpdateAndItsStateSurvivesSaveAndLoad() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NamedAdamW optimizer = new NamedAdamW(0.9f, 0.99f, 0f, manager);
            NDArray w = manager.create(new float[] {1f, -2f});
            optimizer.update(Map.of("w", w), Map.of("w", manager.create(new float[] {0.5f, -1f})), 0.1f);
            // first step: m̂ = g, v̂ = g², so the update is lr·g/(|g|+ε) = lr·sign(g)
            assertThat(w.toFloatArray()).containsExactly(new float[] {0.9f, -1.9f}, within(1e-5f));

            var bytes = new java.io.ByteArrayOutputStream();
            optimizer.save(new java.io.DataOutputStream(bytes));
            NamedAdamW restored = new NamedAdamW(0.9f, 0.99f, 0f, manager);
            restored.load(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
            assertThat(restored.step()).isEqualTo(1);
            NDArray a = manager.create(new float[] {0.3f, 0.3f});
            NDArray b = a.duplicate();
            optimizer.update(Map.of("w", a), Map.of("w", manager.create(new float[] {0.2f, 0.4f})), 0.1f);
            restored.update(Map.of("w", b), Map.of("w", manager.create(new float[] {0.2f, 0.4f})), 0.1f);
            assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
        }
    }
}

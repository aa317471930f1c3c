package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerPiecesTest {

    private static final TrainingConfig CONFIG = new TrainingConfig(4, 1000, 1e-3f, 1e-4f, 100, 0.1f, 0.9f, 0.99f, 1f, 100, 1, 1, null);

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
    void clipsTheGlobalNormNotEachElement() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 0f});
            NDArray b = manager.create(new float[] {0f, 4f});
            float norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1f);
            assertThat(norm).isCloseTo(5f, within(1e-5f));
            assertThat(a.toFloatArray()).containsExactly(new float[] {0.6f, 0f}, within(1e-5f)); // direction kept
            assertThat(b.toFloatArray()).containsExactly(new float[] {0f, 0.8f}, within(1e-5f));
            NDArray small = manager.create(new float[] {0.1f});
            GradientClipping.clipGlobalNorm(List.of(small), 1f);
            assertThat(small.getFloat()).isEqualTo(0.1f);
        }
    }

    @Test
    void weightDecayShrinksMatricesButNotVectors() {
        Tracker lr = Tracker.fixed(0.5f);
        SelectiveWeightDecayAdamW optimizer = new SelectiveWeightDecayAdamW(lr, 0.9f, 0.99f, 0.1f);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray matrix = manager.ones(new ai.djl.ndarray.types.Shape(2, 2));
            NDArray vector = manager.ones(new ai.djl.ndarray.types.Shape(2));
            // a zero gradient leaves Adam's step at 0, so any change is the decoupled decay: w·(1 - lr·wd)
            optimizer.update("matrix", matrix, manager.zeros(matrix.getShape()));
            optimizer.update("vector", vector, manager.zeros(vector.getShape()));
            assertThat(matrix.toFloatArray()).containsOnly(0.95f);
            assertThat(vector.toFloatArray()).containsOnly(1f);
        }
    }
}

package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.training.TrainingListener;
import dev.folio.training.TrainingRun;
import dev.folio.training.config.TrainingConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests and training steps leave no arrays behind in the model's manager. */
class NativeMemoryTest {

    @TempDir
    Path root;

    @Test
    void generationsLeaveNoArraysInTheModelsManager() throws Exception {
        ModelStore store = new ModelStore(root);
        TestModels.publish(store, 31);
        try (LoadedModel model = store.loadCurrent(TestModels.NAME)) {
            Generator generator = new Generator();
            SamplingParameters params = new SamplingParameters(80, true, 1f, null, null, 1L, List.of()); // crosses the 32-token window
            generator.generate(model, "abc", params);
            int before = model.model().getNDManager().getManagedArrays().size();
            for (int i = 0; i < 10; i++) {
                generator.generate(model, "abc", params);
            }
            assertThat(model.model().getNDManager().getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void trainingStepsLeaveNoArraysBehindAfterTheFirst() {
        Engine.getInstance().setRandomSeed(1);
        int[] tokens = new Random(1).ints(2000, 0, 10).toArray();
        try (Model model = Model.newInstance("m")) {
            Gpt gpt = new Gpt(new GptConfig(10, 16, 1, 1, 16, 0.1f, true));
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            int[] counts = new int[3];
            TrainingConfig config = TrainingConfig.builder().batchSize(4).maxSteps(30).learningRate(1e-3f).minLearningRate(1e-4f)
                    .warmupSteps(2).evalInterval(10).evalBatches(2).seed(1).build();
            new TrainingRun(gpt, model.getNDManager(), tokens, tokens, config).run(new TrainingListener() {
                @Override
                public void onStep(StepReport report) {
                    if (report.step() == 2 || report.step() == 15 || report.step() == 29) {
                        counts[report.step() == 2 ? 0 : report.step() == 15 ? 1 : 2] = model.getNDManager().getManagedArrays().size();
                    }
                }
            });
            // weights + AdamW's two moments per weight, made at the first step; nothing more after
            assertThat(counts[0]).isPositive();
            assertThat(counts[1]).isEqualTo(counts[0]);
            assertThat(counts[2]).isEqualTo(counts[0]);
        }
    }
}

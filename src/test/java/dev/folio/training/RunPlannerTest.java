package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.FolioProperties;
import dev.folio.store.CorpusStore;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.TrainingRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Planning a run, without a server or a thread: the request over configuration, checked against the store. */
class RunPlannerTest {

    private static final int KEEP_VERSIONS = 3;

    @TempDir
    Path root;

    private ModelStore store;
    private RunPlanner planner;

    @BeforeEach
    void plannerOverAStoreAndAConfiguredCorpus() throws Exception {
        store = new ModelStore(root.resolve("store"));
        Path corpus = Files.writeString(root.resolve("configured.txt"), TrainingRunTest.grammarCorpus(600, 3));
        FolioProperties.Training settings = new FolioProperties.Training("-", corpus, false, 500, Duration.ofMinutes(30), 0.001, 1, 100,
                50, 3e-4f, 16, 1337, null, 8_388_608);
        TrainingCorpora corpora = new TrainingCorpora(new CorpusStore(root.resolve("corpora")), corpus, settings.maxCorpusBytes());
        planner = new RunPlanner(settings, KEEP_VERSIONS, store, corpora);
    }

    private static RunRequest request(String json) {
        return JsonMapper.builder().build().readValue(json, RunRequest.class);
    }

    private RunPlanner.RunPlan plan(String model, String json) throws Exception {
        return planner.plan(model, request(json), new TrainingRuns(store, model));
    }

    @Test
    void aModelWithNothingToFineTuneTrainsFromScratchWithTheRequestOverConfiguration() throws Exception {
        RunPlanner.RunPlan plan = plan("new-char", "{\"max_steps\":40,\"seed\":7}");

        assertThat(plan.resumed()).isNull();
        assertThat(plan.settings().mode()).isEqualTo(RunRequest.FROM_SCRATCH);
        assertThat(plan.settings().corpus()).as("by its file name, never its path").isEqualTo("configured.txt");
        assertThat(plan.settings().maxSteps()).isEqualTo(40);
        assertThat(plan.settings().batchSize()).as("from configuration").isEqualTo(16);
        ManagedTraining.Request request = plan.request();
        assertThat(request.fromScratch()).isTrue();
        assertThat(request.architecture()).isEqualTo(RunPlanner.DEFAULT_ARCHITECTURE);
        assertThat(request.training().maxSteps()).isEqualTo(40);
        assertThat(request.training().seed()).isEqualTo(7);
        assertThat(request.training().learningRate()).isEqualTo(3e-4f);
        assertThat(request.training().warmupSteps()).as("a tenth of the steps, at most 100").isEqualTo(4);
        assertThat(request.gate()).isTrue();
        assertThat(request.keepVersions()).isEqualTo(KEEP_VERSIONS);
        assertThat(request.lockStaleAfter()).isEqualTo(TrainingJob.LOCK_STALE_AFTER);
    }

    @Test
    void aFineTuneStartsFromTheServedVersionAndKeepsItsShape() throws Exception {
        String base = TestModels.publish(store, 31).version();

        RunPlanner.RunPlan plan = plan(TestModels.NAME, "{\"mode\":\"fine_tune\"}");
        assertThat(plan.settings().mode()).isEqualTo(RunRequest.FINE_TUNE);
        assertThat(plan.settings().baseVersion()).isEqualTo(base);
        assertThat(plan.request().fromScratch()).isFalse();

        assertThatThrownBy(() -> plan(TestModels.NAME, "{\"mode\":\"fine_tune\",\"architecture\":{\"n_layer\":2}}"))
                .isInstanceOfSatisfying(InvalidRunSettingsException.class, e -> assertThat(e.field()).isEqualTo("architecture.n_layer"));
    }

    @Test
    void settingsThatDoNotFitTheStoreAreRefusedByField() {
        assertThatThrownBy(() -> plan("new-char", "{\"mode\":\"fine_tune\"}"))
                .isInstanceOfSatisfying(InvalidRunSettingsException.class, e -> assertThat(e.field()).isEqualTo("mode"));
        assertThatThrownBy(() -> plan("new-char", "{\"corpus\":\"absent.txt\"}"))
                .isInstanceOfSatisfying(InvalidRunSettingsException.class, e -> assertThat(e.field()).isEqualTo("corpus"));
    }
}

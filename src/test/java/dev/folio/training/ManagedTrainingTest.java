package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.model.GptConfig;
import dev.folio.store.AdjustableClock;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TestModels;
import dev.folio.store.TrainingLock;
import dev.folio.training.config.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Gated, recorded, locked training runs against a real store. */
class ManagedTrainingTest {

    @TempDir
    Path root;

    private final AdjustableClock clock = new AdjustableClock();

    private Path corpus() throws Exception {
        Path file = root.resolve("corpus.txt");
        Files.writeString(file, TrainingRunTest.grammarCorpus(1500, 21));
        return file;
    }

    private static ManagedTraining.Request fineTune(Path corpus, double margin, int checkpointInterval) {
        TrainingConfig config = TrainingConfig.builder().batchSize(8).maxSteps(60).learningRate(1e-2f).minLearningRate(1e-3f).warmupSteps(5)
                .evalInterval(30).evalBatches(5).seed(7).build();
        GptConfig unused = TestModels.config();
        return ManagedTraining.Request.builder().corpus(corpus).architecture(unused).training(config).checkpointInterval(checkpointInterval)
                .margin(margin).build();
    }

    @Test
    void aRunThatBeatsTheServedVersionIsPublishedAndRecorded() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        ModelMetadata served = TestModels.publish(store, 51); // untrained: any training beats it
        clock.advance(Duration.ofSeconds(1));
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        RunRecord run = training.run(fineTune(corpus(), 0.01, 20), training.nextRunId(), TrainingListener.NONE);

        assertThat(run.status()).isEqualTo(RunRecord.PUBLISHED);
        assertThat(run.mode()).isEqualTo("fine-tune");
        assertThat(run.baseVersion()).isEqualTo(served.version());
        assertThat(run.valLoss()).isLessThan(run.baselineValLoss() - 0.01f);
        assertThat(store.currentVersion(TestModels.NAME)).contains(run.publishedVersion());
        assertThat(store.metadata(TestModels.NAME, run.publishedVersion()).training().valLoss()).isEqualTo(run.valLoss());
        assertThat(store.metadata(TestModels.NAME, run.publishedVersion()).chat()).as("a fine-tune keeps its base's chat template")
                .isEqualTo(TestModels.CHAT);
        // history: the run's record, its curve, the index line; the checkpoint is gone once the run ended
        assertThat(training.runs().get(run.id())).contains(run);
        List<java.util.Map<String, Object>> curve = training.runs().curve(run.id());
        assertThat(curve).anyMatch(p -> p.containsKey("val_loss")).anyMatch(p -> p.containsKey("train_loss") && p.containsKey("lr"));
        List<String> index = Files.readAllLines(root.resolve("store").resolve(TestModels.NAME).resolve("runs.jsonl"));
        assertThat(index).hasSize(1);
        assertThat(JsonMapper.builder().build().readValue(index.get(0), RunRecord.class).status()).isEqualTo(RunRecord.PUBLISHED);
        assertThat(training.runs().checkpointDir(run.id())).doesNotExist();
        assertThat(root.resolve("store").resolve(TestModels.NAME).resolve("training.lock")).doesNotExist();
    }

    @Test
    void aRunThatDoesNotImproveEnoughIsRejectedAndTheServedVersionStays() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        ModelMetadata served = TestModels.publish(store, 52);
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        RunRecord run = training.run(fineTune(corpus(), 100.0, 0), training.nextRunId(), TrainingListener.NONE);

        assertThat(run.status()).isEqualTo(RunRecord.REJECTED);
        assertThat(run.baselineValLoss()).isNotNull();
        assertThat(run.valLoss()).isNotNull();
        assertThat(run.reason()).contains("is not below served").contains(String.format("%.4f", run.baselineValLoss()));
        assertThat(run.publishedVersion()).isNull();
        assertThat(store.currentVersion(TestModels.NAME)).contains(served.version());
        assertThat(store.versions(TestModels.NAME)).containsExactly(served.version());
    }

    @Test
    void aRunStoppedForShutdownKeepsItsCheckpointAndTheNextStartResumesIt() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        TestModels.publish(store, 54);
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        String id = training.nextRunId();
        assertThatThrownBy(() -> training.run(fineTune(corpus(), 0.0, 10), id, StopAfter.steps(25))).isInstanceOf(TrainingRun.RunStoppedException.class);
        RunRecord stopped = training.runs().get(id).orElseThrow();
        assertThat(stopped.status()).isEqualTo(RunRecord.RUNNING);
        assertThat(stopped.checkpointStep()).isEqualTo(20);
        assertThat(training.nextRunId()).isEqualTo(id);

        RunRecord resumed = training.run(fineTune(corpus(), -100.0, 10), training.nextRunId(), TrainingListener.NONE);
        assertThat(resumed.id()).isEqualTo(id);
        assertThat(resumed.resumedFrom()).containsExactly(20);
        assertThat(resumed.step()).isEqualTo(60);
    }

    @Test
    void aSecondRunWhileOneHoldsTheLockIsRefused() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        TestModels.publish(store, 53);
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        try (TrainingLock held = TrainingLock.tryAcquire(store.root().resolve(TestModels.NAME), "other", Duration.ofMinutes(2)).orElseThrow()) {
            assertThatThrownBy(() -> training.run(fineTune(corpus(), 0, 0), training.nextRunId(), TrainingListener.NONE))
                    .isInstanceOf(RunInProgressException.class).hasMessageContaining("already going");
        }
    }

    @Test
    void aStoppedRunIsShownInterruptedOnceNoLiveProcessHoldsItsLockAndKeepsItsCorpusAndChatTemplate() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        TestModels.publish(store, 55);
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        String id = training.nextRunId();
        Path corpus = corpus();
        ModelMetadata.Chat chat = new ModelMetadata.Chat("{{ messages | length }}", List.of("\n\n"));
        ManagedTraining.Request first = ManagedTraining.Request.builder().corpus(corpus).architecture(TestModels.config())
                .training(fineTune(corpus, 0, 10).training()).checkpointInterval(10).margin(-100.0).chat(chat).build();
        assertThatThrownBy(() -> training.run(first, id, StopAfter.steps(25))).isInstanceOf(TrainingRun.RunStoppedException.class);

        RunRecord recorded = training.runs().get(id).orElseThrow();
        assertThat(recorded.status()).isEqualTo(RunRecord.RUNNING);
        assertThat(recorded.corpus()).isEqualTo(corpus.toAbsolutePath().toString());
        assertThat(recorded.chat()).isEqualTo(chat);
        RunRecord shown = training.runs().listAsSeen(Set.of(), Duration.ofMinutes(2)).get(0);
        assertThat(shown.status()).isEqualTo(RunRecord.INTERRUPTED);
        assertThat(shown.resumeFromStep()).isEqualTo(20);
        assertThat(training.runs().listAsSeen(Set.of(id), Duration.ofMinutes(2)).get(0).status()).as("running here").isEqualTo(RunRecord.RUNNING);
        assertThat(JsonMapper.builder().build().writeValueAsString(recorded)).as("never in a record").doesNotContain("resume_from_step");
        try (TrainingLock held = TrainingLock.tryAcquire(training.runs().modelDir(), id, Duration.ofMinutes(2)).orElseThrow()) {
            assertThat(TrainingLock.holder(training.runs().modelDir(), Duration.ofMinutes(2))).hasValueSatisfying(h -> {
                assertThat(h.runId()).isEqualTo(id);
                assertThat(h.live()).isTrue();
            });
            assertThat(training.runs().listAsSeen(Set.of(), Duration.ofMinutes(2)).get(0).status()).as("its lock is live").isEqualTo(RunRecord.RUNNING);
        }
        assertThat(TrainingLock.holder(training.runs().modelDir(), Duration.ofMinutes(2))).isEmpty();

        // resumed by a request naming another corpus and template: the run goes on with its own
        Path other = root.resolve("other.txt");
        Files.writeString(other, TrainingRunTest.grammarCorpus(900, 99));
        ManagedTraining.Request next = ManagedTraining.Request.builder().corpus(other).architecture(TestModels.config())
                .training(fineTune(other, 0, 10).training()).checkpointInterval(10).margin(-100.0).build();
        RunRecord resumed = training.run(next, training.nextRunId(), TrainingListener.NONE);
        assertThat(resumed.id()).isEqualTo(id);
        assertThat(resumed.status()).isEqualTo(RunRecord.PUBLISHED);
        assertThat(resumed.corpusSha256()).isEqualTo(recorded.corpusSha256());
        assertThat(store.metadata(TestModels.NAME, resumed.publishedVersion()).chat()).isEqualTo(chat);
    }

    @Test
    void aRunWhoseCorpusChangedIsNotResumedButRecordedAsFailedAndTheNextStartsAnew() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        TestModels.publish(store, 56);
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        Path corpus = corpus();
        String id = training.nextRunId();
        assertThatThrownBy(() -> training.run(fineTune(corpus, 0, 10), id, StopAfter.steps(15))).isInstanceOf(TrainingRun.RunStoppedException.class);
        Files.writeString(corpus, TrainingRunTest.grammarCorpus(1500, 22)); // another text under the same name

        assertThatThrownBy(() -> training.run(fineTune(corpus, -100.0, 10), training.nextRunId(), TrainingListener.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("changed since it started");
        RunRecord failed = training.runs().get(id).orElseThrow();
        assertThat(failed.status()).isEqualTo(RunRecord.FAILED);
        assertThat(failed.reason()).startsWith("cannot resume: its corpus");
        assertThat(training.runs().checkpointDir(id)).doesNotExist();
        assertThat(training.runs().resumable()).isEmpty();

        String fresh = training.nextRunId();
        assertThat(fresh).isNotEqualTo(id);
        RunRecord run = training.run(fineTune(corpus, -100.0, 10), fresh, TrainingListener.NONE);
        assertThat(run.status()).isEqualTo(RunRecord.PUBLISHED);
        assertThat(run.resumedFrom()).isEmpty();
    }

    @Test
    void aRunThatDiedBeforeItsFirstCheckpointIsSettledAsFailedByTheNext() throws Exception {
        ModelStore store = new ModelStore(root.resolve("store"), clock);
        TestModels.publish(store, 57);
        ManagedTraining training = new ManagedTraining(store, TestModels.NAME);
        String dead = training.nextRunId();
        assertThatThrownBy(() -> training.run(fineTune(corpus(), 0, 10), dead, StopAfter.steps(5))).isInstanceOf(TrainingRun.RunStoppedException.class);
        RunRecord shown = training.runs().getAsSeen(dead, Set.of(), Duration.ofMinutes(2)).orElseThrow();
        assertThat(shown.status()).isEqualTo(RunRecord.INTERRUPTED);
        assertThat(shown.resumeFromStep()).isNull();
        assertThat(shown.reason()).contains("cannot be resumed");

        clock.advance(Duration.ofSeconds(1)); // run ids are per second
        String next = training.nextRunId();
        assertThat(next).as("nothing to resume").isNotEqualTo(dead);
        training.run(fineTune(corpus(), -100.0, 0), next, TrainingListener.NONE);
        RunRecord settled = training.runs().get(dead).orElseThrow();
        assertThat(settled.status()).isEqualTo(RunRecord.FAILED);
        assertThat(settled.reason()).contains("before its first checkpoint");
    }
}

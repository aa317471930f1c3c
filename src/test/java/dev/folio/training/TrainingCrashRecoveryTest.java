package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a real training process mid-run; the next start resumes from the checkpoint and finishes. */
class TrainingCrashRecoveryTest {

    private static final String MODEL = "crash-char";

    @TempDir
    Path root;

    private Process train(Path corpus, Path store, Path log) throws IOException {
        return TrainingProcess.start(corpus, store, MODEL, log, "--n-layer", "2", "--n-head", "2", "--n-embd", "64", "--block-size", "64", "--batch-size", "16",
                "--max-steps", "600", "--warmup-steps", "10", "--lr", "3e-3", "--min-lr", "3e-4", "--checkpoint-interval", "50",
                "--eval-interval", "10000", "--eval-batches", "5", "--log-interval", "50", "--seed", "5");
    }

    @Test
    void aKilledRunResumesFromItsLastCheckpointAndFinishes() throws Exception {
        Path corpus = root.resolve("corpus.txt");
        Files.writeString(corpus, TrainingRunTest.grammarCorpus(4000, 3));
        Path store = root.resolve("store");
        TrainingRuns runs = new TrainingRuns(new ModelStore(store), MODEL);

        Process first = train(corpus, store, root.resolve("first.log"));
        Optional<RunRecord> checkpointed = TrainingProcess.checkpointAtOrAfter(first, runs, 100);
        assertThat(checkpointed).as("a checkpoint before the run ends; log:\n" + Files.readString(root.resolve("first.log"))).isPresent();
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        RunRecord killed = runs.get(checkpointed.get().id()).orElseThrow();
        assertThat(killed.status()).isEqualTo(RunRecord.RUNNING);
        int resumeStep = killed.checkpointStep();
        assertThat(resumeStep).isLessThan(600);

        Process second = train(corpus, store, root.resolve("second.log"));
        assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String log = Files.readString(root.resolve("second.log"));
        assertThat(second.exitValue()).as(log).isZero();
        assertThat(log).contains("resuming training run " + killed.id() + " from its checkpoint at step " + resumeStep);

        RunRecord finished = runs.get(killed.id()).orElseThrow();
        assertThat(finished.status()).isEqualTo(RunRecord.PUBLISHED);
        assertThat(finished.step()).isEqualTo(600);
        assertThat(finished.resumedFrom()).containsExactly(resumeStep);
        // the resumed process starts from the checkpoint's weights, not from scratch: no jump back up in loss
        List<java.util.Map<String, Object>> curve = runs.curve(killed.id());
        double atCheckpoint = trainLossAt(curve, resumeStep);
        double afterResume = trainLossAt(curve, resumeStep + 10);
        assertThat(afterResume).isLessThan(atCheckpoint + 0.5).isLessThan(Math.log(30) - 1);
        assertThat(new ModelStore(store).currentVersion(MODEL)).contains(finished.publishedVersion());
        assertThat(runs.list()).hasSize(1);
    }

    /** The last recorded train loss at a step (the resumed process's, where both logged it). */
    private static double trainLossAt(List<java.util.Map<String, Object>> curve, int step) {
        double loss = Double.NaN;
        for (var point : curve) {
            if (((Number) point.get("step")).intValue() == step && point.containsKey("train_loss")) {
                loss = ((Number) point.get("train_loss")).doubleValue();
            }
        }
        assertThat(loss).as("train loss logged at step " + step).isNotNaN();
        return loss;
    }
}

package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM (what Ctrl-C's SIGINT also does) to a real training process: it records its steps, frees its lock, says how to go on. */
class TrainingInterruptTest {

    private static final String MODEL = "interrupt-char";

    @TempDir
    Path root;

    private Process train(Path corpus, Path store, Path log) throws IOException {
        return TrainingProcess.start(corpus, store, MODEL, log, "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "32", "--batch-size", "8",
                "--max-steps", "400", "--warmup-steps", "10", "--lr", "3e-3", "--min-lr", "3e-4", "--checkpoint-interval", "40",
                "--eval-interval", "10000", "--eval-batches", "2", "--log-interval", "50", "--seed", "3");
    }

    @Test
    void sigtermRecordsTheStepsDoneReleasesTheLockAndTheSameCommandResumes() throws Exception {
        Path corpus = root.resolve("corpus.txt");
        Files.writeString(corpus, TrainingRunTest.grammarCorpus(2000, 4));
        Path store = root.resolve("store");
        TrainingRuns runs = new TrainingRuns(new ModelStore(store), MODEL);
        Path lock = runs.modelDir().resolve("training.lock");

        Path firstLog = root.resolve("first.log");
        Process first = train(corpus, store, firstLog);
        Optional<RunRecord> checkpointed = TrainingProcess.checkpointAtOrAfter(first, runs, 80); // and it runs on past it
        assertThat(checkpointed).as("a checkpoint before the run ends; log:\n" + Files.readString(firstLog)).isPresent();
        assertThat(lock).as("held while it trains").isRegularFile();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String firstOutput = Files.readString(firstLog);
        assertThat(first.exitValue()).as(firstOutput).isEqualTo(128 + 15);

        RunRecord stopped = runs.get(checkpointed.get().id()).orElseThrow();
        assertThat(stopped.status()).as("still to be resumed").isEqualTo(RunRecord.RUNNING);
        assertThat(stopped.step()).as("the steps done, past the checkpoint").isGreaterThanOrEqualTo(stopped.checkpointStep()).isPositive();
        assertThat(stopped.step()).isLessThan(400);
        assertThat(lock).as("released").doesNotExist();
        assertThat(firstOutput).contains("stopped run " + stopped.id() + " at step " + stopped.step())
                .contains("to resume from its checkpoint at step " + stopped.checkpointStep())
                .contains("java -jar folio.jar train --corpus " + corpus)
                .doesNotContain("Exception");

        Path secondLog = root.resolve("second.log");
        Process second = train(corpus, store, secondLog);
        assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String secondOutput = Files.readString(secondLog);
        assertThat(second.exitValue()).as(secondOutput).isZero();
        assertThat(secondOutput).contains("resuming training run " + stopped.id() + " from its checkpoint at step " + stopped.checkpointStep());
        RunRecord finished = runs.get(stopped.id()).orElseThrow();
        assertThat(finished.status()).isEqualTo(RunRecord.PUBLISHED);
        assertThat(finished.step()).isEqualTo(400);
        assertThat(finished.resumedFrom()).containsExactly(stopped.checkpointStep());
        assertThat(lock).doesNotExist();
    }
}

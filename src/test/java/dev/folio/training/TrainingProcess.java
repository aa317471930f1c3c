package dev.folio.training;

import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code folio train} in a child JVM, offline, its output in a log: for tests that stop or kill a real training process. */
final class TrainingProcess {

    private TrainingProcess() {}

    /** Starts {@code train --corpus CORPUS --store STORE --model MODEL} with {@code settings} after them. */
    static Process start(Path corpus, Path store, String model, Path log, String... settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
                "dev.folio.FolioApplication", "train", "--corpus", corpus.toString(), "--store", store.toString(), "--model", model));
        command.addAll(List.of(settings));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        return builder.start();
    }

    /** Waits while {@code process} runs for a run with a checkpoint at {@code step} or later; empty if it ended first. */
    static Optional<RunRecord> checkpointAtOrAfter(Process process, TrainingRuns runs, int step) throws IOException, InterruptedException {
        while (process.isAlive()) {
            Optional<RunRecord> checkpointed = runs.list().stream().filter(r -> r.checkpointStep() != null && r.checkpointStep() >= step).findFirst();
            if (checkpointed.isPresent()) {
                return checkpointed;
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }
}

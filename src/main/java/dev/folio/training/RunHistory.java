package dev.folio.training;

import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import dev.folio.store.VersionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The training runs the store records, of every model, as the admin API reads them: a run still running in its record is
 * shown interrupted unless this process ({@code runningHere}) or a live lock holder runs it.
 */
final class RunHistory {

    private final ModelStore store;

    RunHistory(ModelStore store) {
        this.store = store;
    }

    /** A model's runs, newest first. */
    List<RunRecord> list(String model, Set<String> runningHere) throws IOException {
        return new TrainingRuns(store, model).listAsSeen(runningHere, TrainingJob.LOCK_STALE_AFTER);
    }

    /** One run of a model, as {@link #list} shows it. */
    Optional<RunRecord> get(String model, String runId, Set<String> runningHere) throws IOException {
        return new TrainingRuns(store, model).getAsSeen(runId, runningHere, TrainingJob.LOCK_STALE_AFTER);
    }

    /** The loss curve of a run. */
    List<Map<String, Object>> curve(String model, String runId) throws IOException {
        return new TrainingRuns(store, model).curve(runId);
    }

    /** The model whose runs hold a run: {@code likeliest} if it does (no directory scan), else the first by name. */
    Optional<String> modelOf(String runId, String likeliest) throws IOException {
        if (hasRun(likeliest, runId)) {
            return Optional.of(likeliest);
        }
        if (!Files.isDirectory(store.root())) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(store.root())) {
            return dirs.map(d -> d.getFileName().toString()).filter(VersionId::isValidModelName).sorted()
                    .filter(name -> hasRun(name, runId)).findFirst();
        }
    }

    private boolean hasRun(String model, String runId) {
        return Files.isRegularFile(new TrainingRuns(store, model).runDir(runId).resolve("run.json"));
    }
}

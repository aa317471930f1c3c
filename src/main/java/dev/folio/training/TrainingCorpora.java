package dev.folio.training;

import dev.folio.store.CorpusStore;
import dev.folio.store.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a run may train on: the named corpora ({@code folio.training.corpus-dir}) and the configured corpus file
 * ({@code folio.training.corpus}), how a request's corpus name becomes a file, and how a response names one.
 */
final class TrainingCorpora {

    private final CorpusStore named;
    private final Path configured;
    private final long maxBytes;

    TrainingCorpora(CorpusStore named, Path configured, long maxBytes) {
        this.named = named;
        this.configured = configured;
        this.maxBytes = maxBytes;
    }

    CorpusStore named() {
        return named;
    }

    /** The configured corpus file, what a run that names no corpus trains on. */
    Optional<Path> configured() {
        return Optional.ofNullable(configured);
    }

    /** The largest corpus an upload may be. */
    long maxBytes() {
        return maxBytes;
    }

    /** The corpus a request names, or the configured one; a name never leaves the corpus directory. */
    Path file(RunRequest asked) throws IOException {
        if (asked.corpus() != null) {
            if (!CorpusStore.isValidName(asked.corpus())) {
                throw new InvalidRunSettingsException("corpus", "invalid corpus name: " + RunRequest.CORPUS_NAME_RULE);
            }
            return named.find(asked.corpus()).orElseThrow(() -> new InvalidRunSettingsException("corpus", "there is no corpus '"
                    + asked.corpus() + "' (GET /admin/corpora lists them; PUT /admin/corpora/{name} uploads one)"));
        }
        if (configured == null) {
            throw new InvalidRunSettingsException("corpus", "no corpus given and no folio.training.corpus configured");
        }
        return configured;
    }

    /** A corpus file's text; a missing or malformed file is the request's fault, named by its label. */
    String text(Path file) throws IOException {
        try {
            return CorpusStore.decode(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new InvalidRunSettingsException("corpus", "the corpus file " + label(file) + " does not exist");
        } catch (CorpusStore.MalformedTextException e) {
            throw new InvalidRunSettingsException("corpus", label(file) + ": " + e.getMessage());
        }
    }

    /**
     * A corpus as a response names it: its name in the corpus directory, else its file name (folio.training.corpus's);
     * never the absolute path, which would tell a caller where the service's files live.
     */
    String label(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.getParent() != null && absolute.getParent().equals(named.directory()) ? absolute.getFileName().toString()
                : String.valueOf(absolute.getFileName());
    }

    /** A run as the admin API shows it: its corpus by {@link #label}, not by the absolute path its record keeps for resuming. */
    RunRecord asShown(RunRecord run) {
        return run.corpus() == null ? run : run.withCorpus(label(Path.of(run.corpus())));
    }
}

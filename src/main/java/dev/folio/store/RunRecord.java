package dev.folio.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.model.GptConfig;
import dev.folio.training.config.TrainingConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One training run as {@code runs/<id>/run.json} and a line of {@code runs.jsonl} record it.
 *
 * @param id run id (r + UTC timestamp + random suffix)
 * @param status running, published, rejected or failed as recorded; as listed, a running run whose process is gone is
 *     {@value #INTERRUPTED} (never written so: the record stays running, and the next run of the model resumes it)
 * @param mode scratch or fine-tune
 * @param baseVersion the version fine-tuning started from (null from scratch)
 * @param architecture the model's shape
 * @param vocabulary the tokenizer's characters
 * @param config the hyperparameters
 * @param corpusSha256 what it trains on
 * @param startedAt when it first started
 * @param endedAt when it ended (null while running)
 * @param step steps completed
 * @param checkpointStep step of the last resumable checkpoint (null if none)
 * @param resumedFrom checkpoint steps it was resumed from, in order
 * @param trainLoss final train loss
 * @param valLoss final validation loss
 * @param baselineValLoss the served version's validation loss on the same batches (null if none was comparable)
 * @param publishedVersion the version it published (null unless published)
 * @param reason why it ended as it did
 * @param corpus the corpus file it trains on (null in records written before it was kept), so a resume reads the same text
 * @param chat the chat template it publishes with (null: the base version's, or the default)
 */
public record RunRecord(String id, String status, String mode, String baseVersion, GptConfig architecture, String vocabulary,
        TrainingConfig config, String corpusSha256, Instant startedAt, Instant endedAt, int step, Integer checkpointStep,
        List<Integer> resumedFrom, Float trainLoss, Float valLoss, Float baselineValLoss, String publishedVersion, String reason,
        String corpus, ModelMetadata.Chat chat) {

    public static final String RUNNING = "running";
    public static final String PUBLISHED = "published";
    public static final String REJECTED = "rejected";
    public static final String FAILED = "failed";
    /** Shown, never recorded: still running in its record, but no live process holds its model's training lock for it. */
    public static final String INTERRUPTED = "interrupted";

    public boolean running() {
        return RUNNING.equals(status);
    }

    /** The step an interrupted run resumes from (its checkpoint's); null unless it is shown as interrupted. */
    @JsonProperty("resume_from_step")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Integer resumeFromStep() {
        return INTERRUPTED.equals(status) ? checkpointStep : null;
    }

    /** As listed when its process is gone: interrupted, with what the next run of its model will do about it. */
    public RunRecord interrupted() {
        String why = checkpointStep != null
                ? "its process ended at step " + step + "; the next run of this model resumes it from its checkpoint at step " + checkpointStep
                : "its process ended before its first checkpoint; it cannot be resumed, and the next run of this model starts anew";
        return new RunRecord(id, INTERRUPTED, mode, baseVersion, architecture, vocabulary, config, corpusSha256, startedAt, endedAt,
                step, checkpointStep, resumedFrom, trainLoss, valLoss, baselineValLoss, publishedVersion, why, corpus, chat);
    }

    /** The same run naming its corpus otherwise (as responses show it: by name, never by absolute path). */
    public RunRecord withCorpus(String shownCorpus) {
        return new RunRecord(id, status, mode, baseVersion, architecture, vocabulary, config, corpusSha256, startedAt, endedAt,
                step, checkpointStep, resumedFrom, trainLoss, valLoss, baselineValLoss, publishedVersion, reason, shownCorpus, chat);
    }

    public RunRecord atCheckpoint(int completedSteps) {
        return new RunRecord(id, status, mode, baseVersion, architecture, vocabulary, config, corpusSha256, startedAt, endedAt,
                completedSteps, completedSteps, resumedFrom, trainLoss, valLoss, baselineValLoss, publishedVersion, reason, corpus, chat);
    }

    /** Stopped (shutdown, Ctrl-C) after {@code completedSteps}: still running in its record, so the next start resumes it. */
    public RunRecord stoppedAt(int completedSteps) {
        return new RunRecord(id, status, mode, baseVersion, architecture, vocabulary, config, corpusSha256, startedAt, endedAt,
                completedSteps, checkpointStep, resumedFrom, trainLoss, valLoss, baselineValLoss, publishedVersion, reason, corpus, chat);
    }

    public RunRecord resumed() {
        List<Integer> from = new ArrayList<>(resumedFrom == null ? List.of() : resumedFrom);
        from.add(checkpointStep);
        return new RunRecord(id, status, mode, baseVersion, architecture, vocabulary, config, corpusSha256, startedAt, endedAt,
                step, checkpointStep, List.copyOf(from), trainLoss, valLoss, baselineValLoss, publishedVersion, reason, corpus, chat);
    }

    /** Ended at {@code at} (the store's clock, {@link TrainingRuns#now()}). */
    public RunRecord ended(Instant at, String outcome, int steps, Float train, Float val, Float baseline, String version, String why) {
        return new RunRecord(id, outcome, mode, baseVersion, architecture, vocabulary, config, corpusSha256, startedAt, at,
                steps, checkpointStep, resumedFrom, train, val, baseline, version, why, corpus, chat);
    }
}

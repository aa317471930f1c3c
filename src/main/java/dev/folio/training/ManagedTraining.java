package dev.folio.training;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.engine.IntraOpThreads;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.Checksums;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingLock;
import dev.folio.store.TrainingRuns;
import dev.folio.tokenizer.CharTokenizer;
import dev.folio.training.config.TrainingConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run with the store's discipline: one at a time (a lock across processes), resumable
 * (checkpoints of weights, optimizer state and step; a run whose process died is resumed by the next
 * start), recorded (run.json, curve.jsonl, runs.jsonl), and gated: the result is published only if
 * its validation loss beats the served version's on the same batches by the configured margin.
 */
public final class ManagedTraining {

    private static final Logger log = LoggerFactory.getLogger(ManagedTraining.class);
    private static final String OPTIMIZER_FILE = "optimizer.bin";

    /**
     * @param corpus the corpus file
     * @param fromScratch train new weights (with {@code architecture}) rather than fine-tune the current version
     * @param architecture the shape for a run from scratch (its vocabSize comes from the corpus)
     * @param training the hyperparameters
     * @param checkpointInterval steps between checkpoints (0: none)
     * @param gate publish only if better than the current version by {@code margin}
     * @param margin the improvement the gate asks for
     * @param threads libtorch intra-op threads for this thread (0: leave as is)
     * @param keepVersions retention after a publish (0: keep all)
     * @param lockStaleAfter a lock older than this with no heartbeat is taken over
     * @param chat the chat template to publish with; null keeps the base version's (fine-tuning) or the default. A resumed
     *     run keeps what it started with (its record's corpus and chat template; its request gives only the rest)
     */
    public record Request(Path corpus, boolean fromScratch, GptConfig architecture, TrainingConfig training, int checkpointInterval,
            boolean gate, double margin, int threads, int keepVersions, Duration lockStaleAfter, ModelMetadata.Chat chat) {

        /**
         * A request by name. Corpus, architecture and training must be given; the rest default to a gated fine-tune with no
         * checkpoints, margin 0, the thread's own libtorch threads, every version kept, {@link TrainingJob#LOCK_STALE_AFTER}
         * and the base version's chat template.
         */
        public static Builder builder() {
            return new Builder();
        }

        /** The settings of a {@link Request}, by name. */
        public static final class Builder {
            private Path corpus;
            private boolean fromScratch;
            private GptConfig architecture;
            private TrainingConfig training;
            private int checkpointInterval;
            private boolean gate = true;
            private double margin;
            private int threads;
            private int keepVersions;
            private Duration lockStaleAfter = TrainingJob.LOCK_STALE_AFTER;
            private ModelMetadata.Chat chat;

            private Builder() {}

            public Builder corpus(Path corpus) {
                this.corpus = corpus;
                return this;
            }

            public Builder fromScratch(boolean fromScratch) {
                this.fromScratch = fromScratch;
                return this;
            }

            public Builder architecture(GptConfig architecture) {
                this.architecture = architecture;
                return this;
            }

            public Builder training(TrainingConfig training) {
                this.training = training;
                return this;
            }

            public Builder checkpointInterval(int checkpointInterval) {
                this.checkpointInterval = checkpointInterval;
                return this;
            }

            public Builder gate(boolean gate) {
                this.gate = gate;
                return this;
            }

            public Builder margin(double margin) {
                this.margin = margin;
                return this;
            }

            public Builder threads(int threads) {
                this.threads = threads;
                return this;
            }

            public Builder keepVersions(int keepVersions) {
                this.keepVersions = keepVersions;
                return this;
            }

            public Builder lockStaleAfter(Duration lockStaleAfter) {
                this.lockStaleAfter = lockStaleAfter;
                return this;
            }

            public Builder chat(ModelMetadata.Chat chat) {
                this.chat = chat;
                return this;
            }

            public Request build() {
                return new Request(Objects.requireNonNull(corpus, "corpus"), fromScratch, Objects.requireNonNull(architecture, "architecture"),
                        Objects.requireNonNull(training, "training"), checkpointInterval, gate, margin, threads, keepVersions,
                        Objects.requireNonNull(lockStaleAfter, "lockStaleAfter"), chat);
            }
        }
    }

    private final ModelStore store;
    private final String modelName;
    private final TrainingRuns runs;

    public ManagedTraining(ModelStore store, String modelName) {
        this.store = store;
        this.modelName = modelName;
        this.runs = new TrainingRuns(store, modelName);
    }

    public TrainingRuns runs() {
        return runs;
    }

    /** The id the next run will have: the resumable run's, or a new one. */
    public String nextRunId() throws IOException {
        return runs.resumable().map(RunRecord::id).orElseGet(runs::newRunId);
    }

    /**
     * Runs (or resumes) a training run to its end.
     *
     * @throws RunInProgressException when another run holds the lock
     */
    public RunRecord run(Request request, String runId, TrainingListener listener) throws IOException {
        Optional<TrainingLock> lock = TrainingLock.tryAcquire(runs.modelDir(), runId, request.lockStaleAfter());
        if (lock.isEmpty()) {
            throw new RunInProgressException("a training run is already going for " + modelName + ": "
                    + TrainingLock.describe(runs.modelDir().resolve("training.lock")));
        }
        try (TrainingLock ignored = lock.get()) {
            store.cleanTemporaries(modelName);
            IntraOpThreads.set(request.threads()); // this thread's intra-op pool: serving keeps the rest
            Optional<RunRecord> resumable = runs.resumable();
            settleDeadRuns(resumable.map(RunRecord::id).orElse(null));
            return resumable.isPresent() ? resume(request, resumable.get(), listener) : start(request, runId, listener);
        }
    }

    /**
     * Runs still running in their records that will never go on, now that this process holds the lock (so no live process
     * runs them): one that died before its first checkpoint, or an older one the resumed run supersedes. Recorded as failed.
     */
    private void settleDeadRuns(String resumed) throws IOException {
        for (RunRecord run : runs.list()) {
            if (run.running() && !run.id().equals(resumed)) {
                String why = run.checkpointStep() == null || !Files.isDirectory(runs.checkpointDir(run.id()))
                        ? "interrupted before its first checkpoint: nothing to resume"
                        : "interrupted; superseded by the resumption of " + resumed;
                log.warn("training run {} {}", run.id(), why);
                RunRecord failed = run.ended(runs.now(), RunRecord.FAILED, run.step(), run.trainLoss(), run.valLoss(), null, null, why);
                runs.save(failed);
                runs.index(failed);
                ModelStore.deleteRecursively(runs.checkpointDir(run.id()));
            }
        }
    }

    private RunRecord start(Request request, String runId, TrainingListener listener) throws IOException {
        String text = Files.readString(request.corpus());
        Optional<LoadedModel> base = request.fromScratch() ? Optional.empty() : currentVersion();
        if (!request.fromScratch() && base.isEmpty()) {
            log.warn("no servable version of {} to fine-tune; training from scratch", modelName);
        }
        try (Model model = Model.newInstance(modelName)) {
            CharTokenizer tokenizer;
            GptConfig architecture;
            Gpt gpt;
            if (base.isPresent()) {
                LoadedModel from = base.get();
                tokenizer = from.tokenizer();
                architecture = from.metadata().architecture().withDropout(request.architecture().dropout());
                gpt = trainable(model, architecture, store.root().resolve(modelName).resolve(from.version()));
                from.close();
            } else {
                tokenizer = CharTokenizer.fromCorpus(text);
                GptConfig a = request.architecture();
                architecture = new GptConfig(tokenizer.vocabSize(), a.blockSize(), a.nLayer(), a.nHead(), a.nEmbd(), a.dropout(), a.bias());
                Engine.getInstance().setRandomSeed((int) request.training().seed());
                gpt = new Gpt(architecture);
                model.setBlock(gpt);
                gpt.initialize(model.getNDManager());
            }
            Corpus corpus = Corpus.of(text, tokenizer);
            RunRecord record = new RunRecord(runId, RunRecord.RUNNING, base.isPresent() ? "fine-tune" : "scratch",
                    base.map(LoadedModel::version).orElse(null), architecture, tokenizer.vocabulary(), request.training(), corpus.sha256(),
                    runs.now(), null, 0, null, List.of(), null, null, null, null, null, request.corpus().toAbsolutePath().toString(),
                    request.chat());
            runs.save(record);
            log.info("training run {} started ({}, {} steps, base {})", runId, record.mode(), request.training().maxSteps(), record.baseVersion());
            return train(request, record, model, gpt, corpus, 0, listener);
        }
    }

    private RunRecord resume(Request request, RunRecord record, TrainingListener listener) throws IOException {
        log.warn("resuming training run {} from its checkpoint at step {}", record.id(), record.checkpointStep());
        // the text it started on: its recorded corpus file (older records: the request's), unchanged since
        Path file = record.corpus() != null ? Path.of(record.corpus()) : request.corpus();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            log.error("training run {}: its corpus {} cannot be read", record.id(), file, e);
            // the record's reason reaches the admin API: the corpus by its file name, the full path only in the log
            throw abandon(record, "its corpus " + file.getFileName() + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!Checksums.sha256(text.getBytes(StandardCharsets.UTF_8)).equals(record.corpusSha256())) {
            throw abandon(record, "its corpus " + file.getFileName() + " changed since it started (sha256 " + record.corpusSha256() + ")");
        }
        RunRecord resumed = record.resumed();
        runs.save(resumed);
        CharTokenizer tokenizer = CharTokenizer.fromVocabulary(record.vocabulary());
        Corpus corpus = Corpus.of(text, tokenizer);
        try (Model model = Model.newInstance(modelName)) {
            Gpt gpt = trainable(model, record.architecture(), runs.checkpointDir(record.id()));
            return train(request, resumed, model, gpt, corpus, record.checkpointStep(), listener);
        }
    }

    /** Records a run that cannot be resumed as failed (the next start begins anew) and returns the error to throw. */
    private IllegalStateException abandon(RunRecord record, String why) throws IOException {
        String reason = "cannot resume: " + why;
        log.error("training run {} {}; recorded as failed, the next run starts anew", record.id(), reason);
        RunRecord failed = record.ended(runs.now(), RunRecord.FAILED, record.step(), null, null, null, null, reason);
        runs.save(failed);
        runs.index(failed);
        ModelStore.deleteRecursively(runs.checkpointDir(record.id()));
        return new IllegalStateException("training run " + record.id() + " " + reason);
    }

    private RunRecord train(Request request, RunRecord record, Model model, Gpt gpt, Corpus corpus, int startStep,
            TrainingListener listener) throws IOException {
        TrainingConfig config = record.config();
        TrainingRun run = new TrainingRun(gpt, model.getNDManager(), corpus.train(), corpus.validation(), config);
        if (startStep > 0) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    Files.newInputStream(runs.checkpointDir(record.id()).resolve(OPTIMIZER_FILE))))) {
                run.optimizer().load(in);
            }
        }
        RunRecord[] latest = {record};
        TrainingListener recording = new CurveRecorder(runs, record.id(), listener);
        TrainingResult result;
        try {
            result = run.run(recording, startStep, step -> {
                checkpoint(model, run, record.id(), step);
                latest[0] = latest[0].atCheckpoint(step);
                runs.save(latest[0]);
            }, request.checkpointInterval());
        } catch (TrainingRun.RunStoppedException e) {
            runs.save(latest[0].stoppedAt(e.step())); // the steps done, not only those up to the checkpoint
            log.warn("training run {} {}; {}", record.id(), e.getMessage(), latest[0].checkpointStep() == null
                    ? "it has no checkpoint, so the next start begins anew"
                    : "it resumes from its checkpoint at step " + latest[0].checkpointStep() + " on the next start");
            throw e; // the record stays "running", so the next start resumes it
        } catch (RuntimeException e) {
            RunRecord failed = latest[0].ended(runs.now(), RunRecord.FAILED, latest[0].step(), null, null, null, null, String.valueOf(e.getMessage()));
            runs.save(failed);
            runs.index(failed);
            throw e;
        }
        return finish(request, latest[0], model, corpus, result);
    }

    private RunRecord finish(Request request, RunRecord record, Model model, Corpus corpus, TrainingResult result) throws IOException {
        Float baseline = request.gate() ? baselineValLoss(corpus, record) : null;
        boolean better = baseline == null || result.valLoss() < baseline - request.margin();
        RunRecord ended;
        if (better) {
            ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT, modelName, null, null, record.architecture().withDropout(0f),
                    record.vocabulary(), record.architecture().parameterCount(), modelName + "-0000.params",
                    new ModelMetadata.TrainingSummary(record.config(), result.steps(), result.tokensSeen(), result.wallSeconds(),
                            result.trainLoss(), result.valLoss(), record.config().evalBatches()),
                    new ModelMetadata.CorpusSummary(corpus.sha256(), corpus.characters(), corpus.train().length, corpus.validation().length),
                    record.chat() != null ? record.chat() : request.chat() != null ? request.chat() : baseChat(record));
            ModelMetadata published = store.publish(model, metadata);
            String why = baseline == null ? "no comparable served version" : String.format("val loss %.4f < served %.4f - margin %.4f",
                    result.valLoss(), baseline, request.margin());
            ended = record.ended(runs.now(), RunRecord.PUBLISHED, result.steps(), result.trainLoss(), result.valLoss(), baseline, published.version(), why);
            log.info("training run {} published {}: {}", record.id(), published.version(), why);
            if (request.keepVersions() > 0) {
                store.retain(modelName, request.keepVersions(), List.of());
            }
        } else {
            String why = String.format("val loss %.4f is not below served %.4f by the margin %.4f", result.valLoss(), baseline, request.margin());
            ended = record.ended(runs.now(), RunRecord.REJECTED, result.steps(), result.trainLoss(), result.valLoss(), baseline, null, why);
            log.warn("training run {} rejected: {}", record.id(), why);
        }
        runs.save(ended);
        runs.index(ended);
        ModelStore.deleteRecursively(runs.checkpointDir(record.id()));
        return ended;
    }

    /** The chat template of the version a fine-tune started from, so scheduled fine-tunes keep it; null for a new model. */
    private ModelMetadata.Chat baseChat(RunRecord record) {
        if (record.baseVersion() == null) {
            return null;
        }
        try {
            return store.metadata(modelName, record.baseVersion()).chat();
        } catch (IOException | RuntimeException e) {
            log.warn("base version {} is gone or unreadable; publishing without its chat template: {}", record.baseVersion(), e.getMessage());
            return null;
        }
    }

    /** The served version's validation loss on the same batches, or null if there is none with this vocabulary. */
    private Float baselineValLoss(Corpus corpus, RunRecord record) throws IOException {
        Optional<LoadedModel> current = currentVersion();
        if (current.isEmpty()) {
            return null;
        }
        try (LoadedModel served = current.get()) {
            if (!served.tokenizer().vocabulary().equals(record.vocabulary())
                    || served.gpt().config().blockSize() != record.architecture().blockSize()) {
                log.warn("served version {} has another vocabulary or context; the gate has nothing to compare", served.version());
                return null;
            }
            TrainingConfig c = record.config();
            Evaluator evaluator = new Evaluator(new BatchSampler(corpus.validation(), served.gpt().config().blockSize()), c.batchSize(),
                    c.evalBatches(), c.seed() + 2); // TrainingRun's validation batches
            return evaluator.meanLoss(served.gpt(), served.model().getNDManager());
        }
    }

    private Optional<LoadedModel> currentVersion() throws IOException {
        Optional<String> version = store.currentVersion(modelName);
        if (version.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(store.load(modelName, version.get()));
        } catch (RuntimeException e) {
            log.warn("current version {} of {} does not load: {}", version.get(), modelName, e.getMessage());
            return Optional.empty();
        }
    }

    /** A model whose weights come from a params file, ready to train (gradients on). */
    private Gpt trainable(Model model, GptConfig architecture, Path dir) throws IOException {
        Gpt gpt = new Gpt(architecture);
        model.setBlock(gpt);
        try {
            model.load(dir, modelName);
        } catch (MalformedModelException e) {
            throw new IOException("weights in " + dir + " do not load: " + e.getMessage(), e);
        }
        // Loaded parameters are kept; initialising now turns their gradients on and completes the block's input description.
        gpt.initialize(model.getNDManager());
        return gpt;
    }

    /** Weights and optimizer state, written beside the old checkpoint and swapped in by a rename. */
    private void checkpoint(Model model, TrainingRun run, String runId, int step) throws IOException {
        Path target = runs.checkpointDir(runId);
        Path temp = target.resolveSibling("checkpoint.tmp");
        ModelStore.deleteRecursively(temp);
        Files.createDirectories(temp);
        model.setProperty("Epoch", "0");
        model.save(temp, modelName);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp.resolve(OPTIMIZER_FILE))))) {
            run.optimizer().save(out);
        }
        Path old = target.resolveSibling("checkpoint.old");
        ModelStore.deleteRecursively(old);
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        ModelStore.deleteRecursively(old);
    }


    /** Writes the loss curve as the run goes, then passes every report on. */
    private record CurveRecorder(TrainingRuns runs, String runId, TrainingListener next) implements TrainingListener {
        private static final int EVERY = 10;

        @Override
        public void onStep(StepReport r) {
            if (r.step() % EVERY == 0) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("step", r.step());
                point.put("train_loss", r.loss());
                point.put("lr", r.learningRate());
                point.put("tokens_per_s", Math.round(r.tokensPerSecond()));
                write(point);
            }
            next.onStep(r);
        }

        @Override
        public void onEvaluation(EvaluationReport r) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("step", r.step());
            point.put("eval_train_loss", r.trainLoss());
            point.put("val_loss", r.valLoss());
            write(point);
            next.onEvaluation(r);
        }

        @Override
        public boolean stopRequested() {
            return next.stopRequested();
        }

        private void write(Map<String, Object> point) {
            try {
                runs.appendCurve(runId, point);
            } catch (IOException e) {
                LoggerFactory.getLogger(ManagedTraining.class).warn("could not record the loss curve: {}", e.getMessage());
            }
        }
    }
}

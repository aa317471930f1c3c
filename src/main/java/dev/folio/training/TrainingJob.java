package dev.folio.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.FolioProperties;
import dev.folio.chat.ChatTemplate;
import dev.folio.model.GptConfig;
import dev.folio.store.CorpusStore;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingLock;
import dev.folio.store.TrainingRuns;
import dev.folio.store.VersionId;
import dev.folio.tokenizer.CharTokenizer;
import dev.folio.tokenizer.UnknownCharacterException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The scheduled training job ({@code folio.training.schedule}, a cron; off unless a corpus is configured), also started on
 * demand through the admin API with settings of its own ({@link RunRequest}). Runs on one background thread with its own
 * libtorch thread budget; the result reaches serving through the store and hot reload.
 *
 * <p>One run at a time per model: a second start of a model whose run is queued or going (here, or in another process
 * that holds its training lock) is refused. Runs of different models go one after another, in the order they were
 * started, so training never takes more than its one thread's share of the cores from serving.
 */
@Component
public class TrainingJob implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    /** A training lock whose file names no stale period of its own counts as held for this long after its last heartbeat. */
    public static final Duration LOCK_STALE_AFTER = Duration.ofMinutes(2);
    /** The shape of a run from scratch where the request gives none: the bundled model's (its vocabulary comes from the corpus). */
    public static final GptConfig DEFAULT_ARCHITECTURE = new GptConfig(65, 256, 4, 4, 256, 0f, false);
    /** Where a reply ends for a chat template given with a run: the blank line that ends a speech. */
    public static final List<String> CHAT_STOP = List.of("\n\n");

    private final FolioProperties.Training settings;
    private final FolioProperties.Store storeSettings;
    private final ModelStore store;
    private final CorpusStore corpora;
    /**
     * One run at a time, on a thread that ends with its run (and the runs queued behind it): libgomp keeps a thread's
     * OpenMP workers (folio.training.threads above 1) for as long as the thread lives, and with more of them than cores
     * the decode scheduler's parallel regions sleep at every barrier.
     */
    private final ExecutorService executor = new ThreadPoolExecutor(0, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "training");
        t.setDaemon(true);
        return t;
    });
    /** Runs queued or going, model → run id, in the order they were started (guarded by this): at most one per model. */
    private final Map<String, String> pending = new LinkedHashMap<>();
    private final AtomicReference<Progress> active = new AtomicReference<>();
    private final MeterRegistry metrics;
    private volatile long lastSuccessEpochSeconds;
    private volatile double lastValLoss = Double.NaN;
    private volatile boolean stopping;

    /** The run in progress: its model, id and latest figures. */
    public record Progress(String model, String runId, int step, int maxSteps, float loss, double tokensPerSecond) {}

    /** A run waiting for the one before it to end. */
    public record Queued(@JsonProperty("model") String model, @JsonProperty("run_id") String runId) {}

    /**
     * A run accepted.
     *
     * @param status {@code starting}, or {@code queued} behind another model's run
     * @param resumesFromStep set when the run resumes an interrupted one (whose settings it keeps) from its checkpoint
     * @param settings what the run trains with: the request's, the rest from configuration
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Started(@JsonProperty("run_id") String runId, @JsonProperty("model") String model, @JsonProperty("status") String status,
            @JsonProperty("resumes_from_step") Integer resumesFromStep, @JsonProperty("settings") RunSettings settings) {}

    /** The effective settings of a run, as a response shows them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunSettings(@JsonProperty("model") String model, @JsonProperty("mode") String mode,
            @JsonProperty("base_version") String baseVersion, @JsonProperty("architecture") RunRequest.Architecture architecture,
            @JsonProperty("corpus") String corpus, @JsonProperty("corpus_sha256") String corpusSha256,
            @JsonProperty("max_steps") int maxSteps, @JsonProperty("max_duration") String maxDuration,
            @JsonProperty("learning_rate") float learningRate, @JsonProperty("batch_size") int batchSize,
            @JsonProperty("eval_batches") int evalBatches, @JsonProperty("improvement_margin") double improvementMargin,
            @JsonProperty("seed") long seed, @JsonProperty("chat_template") String chatTemplate,
            @JsonProperty("chat_stop") List<String> chatStop) {}

    private record Plan(ManagedTraining.Request request, RunSettings settings, RunRecord resumed) {}

    public TrainingJob(FolioProperties properties, ModelStore store, MeterRegistry metrics) {
        this.settings = properties.training();
        this.storeSettings = properties.store();
        this.store = store;
        this.corpora = new CorpusStore(settings.corpusDir() != null ? settings.corpusDir() : store.root().resolve("corpora"));
        this.metrics = metrics;
        Gauge.builder("folio.training.last.success", () -> lastSuccessEpochSeconds).description("epoch seconds of the last published run")
                .baseUnit("seconds").register(metrics);
        Gauge.builder("folio.training.loss", () -> Optional.ofNullable(active.get()).map(Progress::loss).orElse(Float.NaN))
                .description("train loss of the running run").register(metrics);
        Gauge.builder("folio.training.val.loss", () -> lastValLoss).description("validation loss of the last finished run").register(metrics);
        Gauge.builder("folio.training.tokens.per.second", () -> Optional.ofNullable(active.get()).map(Progress::tokensPerSecond).orElse(0.0))
                .register(metrics);
    }

    /** The model a request that names none trains (folio.store.model). */
    public String defaultModel() {
        return storeSettings.model();
    }

    /** Named corpora ({@code folio.training.corpus-dir}). */
    public CorpusStore corpora() {
        return corpora;
    }

    /** The largest corpus an upload may be. */
    public long maxCorpusBytes() {
        return settings.maxCorpusBytes();
    }

    /** The configured corpus file (folio.training.corpus), what a run that names no corpus trains on. */
    public Optional<Path> defaultCorpus() {
        return Optional.ofNullable(settings.corpus());
    }

    public Optional<Progress> progress() {
        return Optional.ofNullable(active.get());
    }

    /** Runs accepted that wait for the one going. */
    public synchronized List<Queued> queued() {
        Progress going = active.get();
        List<Queued> queued = new ArrayList<>();
        pending.forEach((model, id) -> {
            if (going == null || !going.runId().equals(id)) {
                queued.add(new Queued(model, id));
            }
        });
        return queued;
    }

    /** A model's runs, newest first, a run whose process is gone shown as interrupted. */
    public List<RunRecord> runs(String model) throws IOException {
        return new TrainingRuns(store, model).listAsSeen(runningHere(model), LOCK_STALE_AFTER);
    }

    /** One run of a model, as {@link #runs} shows it. */
    public Optional<RunRecord> run(String model, String runId) throws IOException {
        return new TrainingRuns(store, model).getAsSeen(runId, runningHere(model), LOCK_STALE_AFTER);
    }

    /** The loss curve of a run. */
    public List<Map<String, Object>> curve(String model, String runId) throws IOException {
        return new TrainingRuns(store, model).curve(runId);
    }

    /** The model a run belongs to: a run queued or going here, else the default model's, else whichever model's runs hold it. */
    public synchronized Optional<String> modelOf(String runId) throws IOException {
        for (Map.Entry<String, String> entry : pending.entrySet()) {
            if (entry.getValue().equals(runId)) {
                return Optional.of(entry.getKey());
            }
        }
        if (hasRun(defaultModel(), runId)) {
            return Optional.of(defaultModel());
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

    private Set<String> runningHere(String model) {
        Progress going = active.get();
        return going != null && going.model().equals(model) ? Set.of(going.runId()) : Set.of();
    }

    @Scheduled(cron = "${folio.training.schedule:-}")
    public void scheduled() {
        if (settings.corpus() == null) {
            log.info("scheduled training skipped: no folio.training.corpus configured");
            return;
        }
        try {
            start();
        } catch (RunInProgressException e) {
            log.info("scheduled training skipped: {}", e.getMessage());
        } catch (InvalidRunSettingsException e) {
            log.error("scheduled training could not start: {}: {}", e.field(), e.getMessage());
        } catch (IOException e) {
            log.error("scheduled training could not start", e);
        }
    }

    /** Starts a run of the default model with the configured settings (what the schedule runs). */
    public Started start() throws IOException {
        return start(RunRequest.DEFAULTS);
    }

    /**
     * Starts a run in the background, now or after the run going (another model's). A model with an interrupted run
     * resumes it, with the settings it started with (the request's are checked, not applied).
     *
     * @param request the run's settings, each already checked on its own (bean validation); unset ones from configuration
     * @return the run's id and effective settings (a resumed run keeps its own id)
     * @throws RunInProgressException if a run of that model is queued or going (here or in another process)
     * @throws InvalidRunSettingsException if the settings do not fit the store: no such corpus, nothing to fine-tune, ...
     */
    public synchronized Started start(RunRequest request) throws IOException {
        RunRequest asked = request == null ? RunRequest.DEFAULTS : request;
        String model = asked.model() != null ? asked.model() : defaultModel();
        if (!VersionId.isValidModelName(model)) {
            throw new InvalidRunSettingsException("model", "invalid model name '" + model + "': " + RunRequest.MODEL_NAME_RULE);
        }
        Path modelDir = store.root().resolve(model);
        if (modelDir.toAbsolutePath().normalize().equals(corpora.directory())) {
            throw new InvalidRunSettingsException("model", "'" + model + "' is the corpus directory, not a model");
        }
        if (stopping) {
            throw new RunInProgressException("the service is shutting down; no run starts");
        }
        String existing = pending.get(model);
        if (existing != null) {
            Progress going = active.get();
            boolean runs = going != null && going.runId().equals(existing);
            throw new RunInProgressException("training run " + existing + " of " + model + " is already " + (runs ? "going" : "queued"));
        }
        Optional<TrainingLock.Holder> holder = TrainingLock.holder(modelDir, LOCK_STALE_AFTER).filter(TrainingLock.Holder::live);
        if (holder.isPresent()) {
            throw new RunInProgressException("training run " + holder.get().runId() + " of " + model + " is already going in another process ("
                    + holder.get().owner() + ")");
        }
        ManagedTraining training = new ManagedTraining(store, model);
        Plan plan = plan(model, asked, training);
        String runId = plan.resumed() != null ? plan.resumed().id() : training.runs().newRunId();
        boolean queued = !pending.isEmpty();
        pending.put(model, runId);
        try {
            executor.execute(() -> runInBackground(model, runId, training, plan.request()));
        } catch (RuntimeException e) {
            pending.remove(model);
            throw new RunInProgressException("the service is shutting down; no run starts");
        }
        log.info("training run {} of {} {}{}: {}", runId, model, queued ? "queued" : "starting",
                plan.resumed() != null ? " (resuming from step " + plan.resumed().checkpointStep() + ")" : "", plan.settings());
        return new Started(runId, model, queued ? "queued" : "starting", plan.resumed() != null ? plan.resumed().checkpointStep() : null,
                plan.settings());
    }

    /** What the run will train: the request over configuration, checked against the store. */
    private Plan plan(String model, RunRequest asked, ManagedTraining training) throws IOException {
        Optional<RunRecord> resumable = training.runs().resumable();
        double margin = asked.improvementMargin() != null ? asked.improvementMargin() : settings.improvementMargin();
        int maxSteps = asked.maxSteps() != null ? asked.maxSteps() : settings.maxSteps();
        float learningRate = asked.learningRate() != null ? asked.learningRate() : settings.learningRate();
        int batchSize = asked.batchSize() != null ? asked.batchSize() : settings.batchSize();
        int evalBatches = asked.evalBatches() != null ? asked.evalBatches() : settings.evalBatches();
        long seed = asked.seed() != null ? asked.seed() : settings.seed();
        Duration maxDuration = asked.maxDuration() != null ? asked.duration() : settings.maxDuration();

        if (resumable.isPresent()) { // its own settings; the request's corpus only for a record too old to name its own
            RunRecord run = resumable.get();
            Path corpusFile = run.corpus() != null ? Path.of(run.corpus()) : corpusFile(asked);
            TrainingConfig c = run.config();
            GptConfig a = run.architecture();
            ManagedTraining.Request request = ManagedTraining.Request.builder().corpus(corpusFile).fromScratch("scratch".equals(run.mode()))
                    .architecture(a).training(c).checkpointInterval(settings.checkpointInterval()).margin(margin).threads(settings.threads())
                    .keepVersions(storeSettings.keepVersions()).chat(run.chat()).build();
            RunSettings shown = new RunSettings(model, "scratch".equals(run.mode()) ? RunRequest.FROM_SCRATCH : RunRequest.FINE_TUNE,
                    run.baseVersion(), architecture(a), corpusLabel(corpusFile), run.corpusSha256(), c.maxSteps(),
                    c.maxWallTime() == null ? null : c.maxWallTime().toString(), c.learningRate(), c.batchSize(), c.evalBatches(), margin,
                    c.seed(), run.chat() == null ? null : run.chat().template(), run.chat() == null ? null : run.chat().stop());
            return new Plan(request, shown, run);
        }

        Path corpusFile = corpusFile(asked);
        String text = corpusText(corpusFile);
        boolean fromScratch = asked.mode() != null ? RunRequest.FROM_SCRATCH.equals(asked.mode()) : settings.fromScratch();
        ModelMetadata base = null;
        if (!fromScratch) {
            base = servedMetadata(model);
            if (base == null) {
                if (RunRequest.FINE_TUNE.equals(asked.mode())) {
                    throw new InvalidRunSettingsException("mode", "fine_tune needs a version of " + model
                            + " to start from, and it has none that loads: give \"mode\": \"from_scratch\"");
                }
                log.warn("no servable version of {} to fine-tune; the run trains from scratch", model);
                fromScratch = true; // as scheduled runs always did
            }
        }
        RunRequest.Architecture given = asked.architecture();
        if (!fromScratch && given != null) {
            refuseShape("n_layer", given.nLayer(), base);
            refuseShape("n_head", given.nHead(), base);
            refuseShape("n_embd", given.nEmbd(), base);
            refuseShape("block_size", given.blockSize(), base);
            refuseShape("bias", given.bias(), base);
        }
        GptConfig d = DEFAULT_ARCHITECTURE;
        float dropout = given != null && given.dropout() != null ? given.dropout() : d.dropout();
        GptConfig shape = given == null ? d.withDropout(dropout) : new GptConfig(d.vocabSize(),
                given.blockSize() != null ? given.blockSize() : d.blockSize(), given.nLayer() != null ? given.nLayer() : d.nLayer(),
                given.heads(), given.width(), dropout, given.bias() != null ? given.bias() : d.bias());
        GptConfig trained = fromScratch ? shape : base.architecture().withDropout(dropout);

        CharTokenizer tokenizer = fromScratch ? CharTokenizer.fromCorpus(text) : CharTokenizer.fromVocabulary(base.vocabulary());
        Corpus corpus;
        try {
            corpus = Corpus.of(text, tokenizer);
        } catch (UnknownCharacterException e) {
            throw new InvalidRunSettingsException("corpus", corpusLabel(corpusFile) + " has characters the vocabulary of " + model + "/"
                    + base.version() + " lacks (" + e.getMessage() + "); a new vocabulary needs \"mode\": \"from_scratch\"");
        }
        int needed = trained.blockSize() + 1;
        if (corpus.validation().length < needed) {
            throw new InvalidRunSettingsException("corpus", corpusLabel(corpusFile) + " is too short for a context of " + trained.blockSize()
                    + ": its validation split (the last 10%) has " + corpus.validation().length + " characters and needs at least " + needed);
        }
        if (asked.chatTemplate() != null) {
            try {
                ChatTemplate.of(asked.chatTemplate());
            } catch (IllegalArgumentException e) {
                throw new InvalidRunSettingsException("chat_template", e.getMessage());
            }
        }
        ModelMetadata.Chat chat = asked.chatTemplate() == null ? null : new ModelMetadata.Chat(asked.chatTemplate(), CHAT_STOP);
        TrainingConfig config;
        try {
            config = TrainingConfig.builder().batchSize(batchSize).maxSteps(maxSteps).learningRate(learningRate)
                    .minLearningRate(learningRate / 10).warmupSteps(Math.min(100, maxSteps / 10)).evalInterval(Math.max(1, maxSteps))
                    .evalBatches(evalBatches).seed(seed).maxWallTime(maxDuration).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidRunSettingsException("max_steps", e.getMessage());
        }
        ManagedTraining.Request request = ManagedTraining.Request.builder().corpus(corpusFile).fromScratch(fromScratch).architecture(shape)
                .training(config).checkpointInterval(settings.checkpointInterval()).margin(margin).threads(settings.threads())
                .keepVersions(storeSettings.keepVersions()).chat(chat).build();
        RunSettings shown = new RunSettings(model, fromScratch ? RunRequest.FROM_SCRATCH : RunRequest.FINE_TUNE,
                fromScratch ? null : base.version(), architecture(trained), corpusLabel(corpusFile), corpus.sha256(), maxSteps,
                maxDuration == null ? null : maxDuration.toString(), learningRate, batchSize, evalBatches, margin, seed,
                chat == null ? null : chat.template(), chat == null ? null : chat.stop());
        return new Plan(request, shown, null);
    }

    private static void refuseShape(String field, Object value, ModelMetadata base) {
        if (value != null) {
            throw new InvalidRunSettingsException("architecture." + field, "a fine-tune keeps the shape of the version it starts from ("
                    + base.version() + "); only architecture.dropout may be given, or \"mode\": \"from_scratch\"");
        }
    }

    /** The corpus a request names, or the configured one; a name never leaves the corpus directory. */
    private Path corpusFile(RunRequest asked) throws IOException {
        if (asked.corpus() != null) {
            if (!CorpusStore.isValidName(asked.corpus())) {
                throw new InvalidRunSettingsException("corpus", "invalid corpus name: " + RunRequest.CORPUS_NAME_RULE);
            }
            return corpora.find(asked.corpus()).orElseThrow(() -> new InvalidRunSettingsException("corpus", "there is no corpus '"
                    + asked.corpus() + "' (GET /admin/corpora lists them; PUT /admin/corpora/{name} uploads one)"));
        }
        if (settings.corpus() == null) {
            throw new InvalidRunSettingsException("corpus", "no corpus given and no folio.training.corpus configured");
        }
        return settings.corpus();
    }

    private String corpusText(Path file) throws IOException {
        try {
            return CorpusStore.decode(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new InvalidRunSettingsException("corpus", "the corpus file " + corpusLabel(file) + " does not exist");
        } catch (CorpusStore.MalformedTextException e) {
            throw new InvalidRunSettingsException("corpus", corpusLabel(file) + ": " + e.getMessage());
        }
    }

    /**
     * A corpus as a response names it: its name in the corpus directory, else its file name (folio.training.corpus's);
     * never the absolute path, which would tell a caller where the service's files live.
     */
    public String corpusLabel(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.getParent() != null && absolute.getParent().equals(corpora.directory()) ? absolute.getFileName().toString()
                : String.valueOf(absolute.getFileName());
    }

    /** A run as the admin API shows it: its corpus by {@link #corpusLabel}, not by the absolute path its record keeps for resuming. */
    public RunRecord asShown(RunRecord run) {
        return run.corpus() == null ? run : run.withCorpus(corpusLabel(Path.of(run.corpus())));
    }

    /** The current version's metadata, or null if there is none that passes its checks. */
    private ModelMetadata servedMetadata(String model) throws IOException {
        Optional<String> current = store.currentVersion(model);
        if (current.isEmpty()) {
            return null;
        }
        try {
            return store.metadata(model, current.get());
        } catch (IOException | RuntimeException e) {
            log.warn("current version {} of {} fails its checks: {}", current.get(), model, e.getMessage());
            return null;
        }
    }

    private static RunRequest.Architecture architecture(GptConfig a) {
        return new RunRequest.Architecture(a.nLayer(), a.nHead(), a.nEmbd(), a.blockSize(), a.dropout(), a.bias());
    }

    private void runInBackground(String model, String runId, ManagedTraining training, ManagedTraining.Request request) {
        try {
            if (stopping) {
                log.info("training run {} of {} not started: the service is shutting down", runId, model);
                return;
            }
            active.set(new Progress(model, runId, 0, request.training().maxSteps(), Float.NaN, 0));
            RunRecord run = training.run(request, runId, new TrainingListener() {
                @Override
                public void onStep(StepReport r) {
                    active.set(new Progress(model, runId, r.step(), r.maxSteps(), r.loss(), r.tokensPerSecond()));
                }

                @Override
                public boolean stopRequested() {
                    return stopping;
                }
            });
            Counter.builder("folio.training.runs").tag("outcome", run.status()).register(metrics).increment();
            lastValLoss = run.valLoss() == null ? Double.NaN : run.valLoss();
            if (RunRecord.PUBLISHED.equals(run.status())) {
                lastSuccessEpochSeconds = run.endedAt().getEpochSecond();
            }
        } catch (TrainingRun.RunStoppedException e) {
            Counter.builder("folio.training.runs").tag("outcome", "stopped").register(metrics).increment();
        } catch (RunInProgressException e) {
            log.info("training run {} of {} not started: {}", runId, model, e.getMessage());
            Counter.builder("folio.training.runs").tag("outcome", "skipped").register(metrics).increment();
        } catch (IOException | RuntimeException e) {
            log.error("training run {} of {} failed", runId, model, e);
            Counter.builder("folio.training.runs").tag("outcome", RunRecord.FAILED).register(metrics).increment();
        } finally {
            active.set(null);
            synchronized (this) {
                pending.remove(model, runId);
            }
        }
    }

    /**
     * Stops a running run at its next step (the runs queued behind it do not start) and waits for its thread: the process
     * must not exit while that thread is inside libtorch (its native teardown would crash it).
     */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        executor.shutdown();
        if (!executor.awaitTermination(2, TimeUnit.MINUTES)) {
            log.error("the training thread did not stop within 2 minutes");
        }
    }
}

package dev.folio.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.FolioProperties;
import dev.folio.store.CorpusStore;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingLock;
import dev.folio.store.VersionId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
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
 *
 * <p>This class holds the schedule, the queue and the metrics; what a run trains is {@link RunPlanner}'s to decide, the
 * corpora are {@link TrainingCorpora}'s, and the recorded runs are read through {@link RunHistory}.
 */
@Component
public class TrainingJob implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    /** A training lock whose file names no stale period of its own counts as held for this long after its last heartbeat. */
    public static final Duration LOCK_STALE_AFTER = Duration.ofMinutes(2);

    private final FolioProperties.Training settings;
    private final String defaultModel;
    private final ModelStore store;
    private final TrainingCorpora corpora;
    private final RunPlanner planner;
    private final RunHistory history;
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

    public TrainingJob(FolioProperties properties, ModelStore store, MeterRegistry metrics) {
        this.settings = properties.training();
        this.defaultModel = properties.store().model();
        this.store = store;
        this.corpora = new TrainingCorpora(new CorpusStore(settings.corpusDir() != null ? settings.corpusDir() : store.root().resolve("corpora")),
                settings.corpus(), settings.maxCorpusBytes());
        this.planner = new RunPlanner(settings, properties.store().keepVersions(), store, corpora);
        this.history = new RunHistory(store);
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
        return defaultModel;
    }

    /** Named corpora ({@code folio.training.corpus-dir}). */
    public CorpusStore corpora() {
        return corpora.named();
    }

    /** The largest corpus an upload may be. */
    public long maxCorpusBytes() {
        return corpora.maxBytes();
    }

    /** The configured corpus file (folio.training.corpus), what a run that names no corpus trains on. */
    public Optional<Path> defaultCorpus() {
        return corpora.configured();
    }

    /** A corpus as a response names it: by name, never by absolute path (see {@link TrainingCorpora#label}). */
    public String corpusLabel(Path file) {
        return corpora.label(file);
    }

    /** A run as the admin API shows it: its corpus by {@link #corpusLabel}, not by the absolute path its record keeps for resuming. */
    public RunRecord asShown(RunRecord run) {
        return corpora.asShown(run);
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
        return history.list(model, runningHere(model));
    }

    /** One run of a model, as {@link #runs} shows it. */
    public Optional<RunRecord> run(String model, String runId) throws IOException {
        return history.get(model, runId, runningHere(model));
    }

    /** The loss curve of a run. */
    public List<Map<String, Object>> curve(String model, String runId) throws IOException {
        return history.curve(model, runId);
    }

    /** The model a run belongs to: a run queued or going here, else the default model's, else whichever model's runs hold it. */
    public synchronized Optional<String> modelOf(String runId) throws IOException {
        for (Map.Entry<String, String> entry : pending.entrySet()) {
            if (entry.getValue().equals(runId)) {
                return Optional.of(entry.getKey());
            }
        }
        return history.modelOf(runId, defaultModel());
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
        if (modelDir.toAbsolutePath().normalize().equals(corpora.named().directory())) {
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
        RunPlanner.RunPlan plan = planner.plan(model, asked, training.runs());
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

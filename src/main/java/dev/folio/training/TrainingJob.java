package dev.folio.training;

import dev.folio.FolioProperties;
import dev.folio.model.GptConfig;
import dev.folio.model.TrainingConfig;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
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
 * The scheduled training job ({@code folio.training.schedule}, a cron; off unless a corpus is
 * configured), also started on demand through the admin API. Runs on one background thread with its
 * own libtorch thread budget; the result reaches serving through the store and hot reload.
 */
@Component
public class TrainingJob implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    private final FolioProperties.Training settings;
    private final FolioProperties.Store storeSettings;
    private final ManagedTraining training;
    /**
     * One run at a time, on a thread that ends with its run: libgomp keeps a thread's OpenMP workers
     * (folio.training.threads above 1) for as long as the thread lives, and with more of them than cores
     * the decode scheduler's parallel regions sleep at every barrier.
     */
    private final ExecutorService executor = new ThreadPoolExecutor(0, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "training");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Progress> active = new AtomicReference<>();
    private final MeterRegistry metrics;
    private volatile long lastSuccessEpochSeconds;
    private volatile double lastValLoss = Double.NaN;
    private volatile boolean stopping;

    /** A run in progress: its id and the latest figures. */
    public record Progress(String runId, int step, int maxSteps, float loss, double tokensPerSecond) {}

    public TrainingJob(FolioProperties properties, ModelStore store, MeterRegistry metrics) {
        this.settings = properties.training();
        this.storeSettings = properties.store();
        this.training = new ManagedTraining(store, properties.store().model());
        this.metrics = metrics;
        Gauge.builder("folio.training.last.success", () -> lastSuccessEpochSeconds).description("epoch seconds of the last published run")
                .baseUnit("seconds").register(metrics);
        Gauge.builder("folio.training.loss", () -> Optional.ofNullable(active.get()).map(Progress::loss).orElse(Float.NaN))
                .description("train loss of the running run").register(metrics);
        Gauge.builder("folio.training.val.loss", () -> lastValLoss).description("validation loss of the last finished run").register(metrics);
        Gauge.builder("folio.training.tokens.per.second", () -> Optional.ofNullable(active.get()).map(Progress::tokensPerSecond).orElse(0.0))
                .register(metrics);
    }

    public ManagedTraining training() {
        return training;
    }

    public Optional<Progress> progress() {
        return Optional.ofNullable(active.get());
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
        } catch (IOException e) {
            log.error("scheduled training could not start", e);
        }
    }

    /**
     * Starts a run now in the background.
     *
     * @return the run's id (a resumed run keeps its own)
     * @throws RunInProgressException if a run is going (here or in another process)
     * @throws IllegalStateException if no corpus is configured
     */
    public synchronized String start() throws IOException {
        if (settings.corpus() == null) {
            throw new IllegalStateException("no folio.training.corpus is configured");
        }
        if (active.get() != null) {
            throw new RunInProgressException("training run " + active.get().runId() + " is already going");
        }
        String runId = training.nextRunId();
        active.set(new Progress(runId, 0, settings.maxSteps(), Float.NaN, 0));
        executor.execute(() -> runInBackground(runId));
        return runId;
    }

    private void runInBackground(String runId) {
        try {
            RunRecord run = training.run(request(), runId, new TrainingListener() {
                @Override
                public void onStep(StepReport r) {
                    active.set(new Progress(runId, r.step(), r.maxSteps(), r.loss(), r.tokensPerSecond()));
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
            log.info("training run {} not started: {}", runId, e.getMessage());
            Counter.builder("folio.training.runs").tag("outcome", "skipped").register(metrics).increment();
        } catch (IOException | RuntimeException e) {
            log.error("training run {} failed", runId, e);
            Counter.builder("folio.training.runs").tag("outcome", RunRecord.FAILED).register(metrics).increment();
        } finally {
            active.set(null);
        }
    }

    private ManagedTraining.Request request() {
        TrainingConfig config = new TrainingConfig(settings.batchSize(), settings.maxSteps(), settings.learningRate(), settings.learningRate() / 10,
                Math.min(100, settings.maxSteps() / 10), 0.1f, 0.9f, 0.99f, 1f, Math.max(1, settings.maxSteps()), settings.evalBatches(), 1337,
                settings.maxDuration());
        GptConfig scratch = new GptConfig(65, 256, 4, 4, 256, 0f, false); // vocabulary size comes from the corpus
        return new ManagedTraining.Request(settings.corpus(), settings.fromScratch(), scratch, config, settings.checkpointInterval(), true,
                settings.improvementMargin(), settings.threads(), storeSettings.keepVersions(), Duration.ofMinutes(2), null);
    }

    /**
     * Stops a running run at its next step and waits for its thread: the process must not exit while
     * that thread is inside libtorch (its native teardown would crash it).
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

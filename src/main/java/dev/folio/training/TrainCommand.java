package dev.folio.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.chat.ChatTemplate;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.model.TrainingConfig;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar folio.jar train --corpus FILE ...}: trains (from scratch, or fine-tunes the current
 * version), resuming a run whose process died, and publishes the result if it beats the served version.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a character-level GPT on a text corpus and publish it into the model store if it beats the current version. "
                + "A run whose process died is resumed from its last checkpoint.")
public final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Option(names = "--corpus", required = true, description = "UTF-8 text file; first 90%% trains, last 10%% validates")
    Path corpus;
    @Option(names = "--store", defaultValue = "model-store", description = "model store root (default: ${DEFAULT-VALUE})")
    Path store;
    @Option(names = "--model", defaultValue = "shakespeare-char", description = "model name in the store (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--no-publish", description = "train and report only; the store is not touched")
    boolean noPublish;
    @Option(names = "--fine-tune", description = "continue from the current version instead of training from scratch")
    boolean fineTune;
    @Option(names = "--no-gate", description = "publish even if the current version's validation loss is lower")
    boolean noGate;
    @Option(names = "--margin", defaultValue = "0", description = "publish only if val loss is below the current's by more than this")
    double margin;
    @Option(names = "--checkpoint-interval", defaultValue = "250", description = "steps between resumable checkpoints (0: none)")
    int checkpointInterval;
    @Option(names = "--threads", defaultValue = "0", description = "libtorch intra-op threads (0: all cores)")
    int threads;
    @Option(names = "--keep-versions", defaultValue = "0", description = "after publishing, keep the newest N versions (0: all)")
    int keepVersions;
    @Option(names = "--lock-stale-seconds", defaultValue = "120", description = "take over a training lock with no heartbeat for this long")
    long lockStaleSeconds;

    @Option(names = "--chat-template", description = "Jinja chat template file published with the model (default: the base "
            + "version's when fine-tuning, else the play-script template)")
    Path chatTemplate;
    @Option(names = "--chat-stop", description = "where a chat reply ends, with Java escapes (default with --chat-template: \\n\\n); repeatable")
    List<String> chatStop;

    @Option(names = "--n-layer", defaultValue = "4") int nLayer;
    @Option(names = "--n-head", defaultValue = "4") int nHead;
    @Option(names = "--n-embd", defaultValue = "256") int nEmbd;
    @Option(names = "--block-size", defaultValue = "256") int blockSize;
    @Option(names = "--dropout", defaultValue = "0.0") float dropout;
    @Option(names = "--bias", defaultValue = "false", description = "biases in Linear and LayerNorm") boolean bias;

    @Option(names = "--batch-size", defaultValue = "16") int batchSize;
    @Option(names = "--max-steps", defaultValue = "3000") int maxSteps;
    @Option(names = "--lr", defaultValue = "1.5e-3") float learningRate;
    @Option(names = "--min-lr", defaultValue = "1.5e-4") float minLearningRate;
    @Option(names = "--warmup-steps", defaultValue = "100") int warmupSteps;
    @Option(names = "--weight-decay", defaultValue = "0.1") float weightDecay;
    @Option(names = "--beta1", defaultValue = "0.9") float beta1;
    @Option(names = "--beta2", defaultValue = "0.99") float beta2;
    @Option(names = "--grad-clip", defaultValue = "1.0") float gradClip;
    @Option(names = "--eval-interval", defaultValue = "250") int evalInterval;
    @Option(names = "--eval-batches", defaultValue = "200") int evalBatches;
    @Option(names = "--seed", defaultValue = "1337") long seed;
    @Option(names = "--log-interval", defaultValue = "100", description = "steps between progress log lines (default: ${DEFAULT-VALUE})")
    int logInterval;
    @Option(names = "--max-minutes", description = "stop early after this many minutes (still evaluates and publishes)")
    Double maxMinutes;

    @Override
    public Integer call() throws Exception {
        Corpus text = Corpus.read(corpus);
        GptConfig architecture = new GptConfig(text.tokenizer().vocabSize(), blockSize, nLayer, nHead, nEmbd, dropout, bias);
        Duration wall = maxMinutes == null ? null : Duration.ofMillis((long) (maxMinutes * 60_000));
        TrainingConfig training = new TrainingConfig(batchSize, maxSteps, learningRate, minLearningRate, warmupSteps,
                weightDecay, beta1, beta2, gradClip, evalInterval, evalBatches, seed, wall);
        log.info("corpus {}: {} characters, vocabulary {}, {} train / {} val tokens", corpus, text.characters(),
                text.tokenizer().vocabSize(), text.train().length, text.validation().length);
        log.info("model {} ({} parameters), training {}", architecture, architecture.parameterCount(), training);

        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(maxSteps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).showSpeed().build()) {
            ProgressListener progress = new ProgressListener(bar, logInterval);
            if (noPublish) {
                report(trainOnly(text, architecture, training, progress));
                return 0;
            }
            ManagedTraining managed = new ManagedTraining(new ModelStore(store), model);
            ManagedTraining.Request request = new ManagedTraining.Request(corpus, !fineTune, architecture, training, checkpointInterval,
                    !noGate, margin, threads, keepVersions, Duration.ofSeconds(lockStaleSeconds), chat());
            RunRecord run = managed.run(request, managed.nextRunId(), progress);
            System.out.printf("run %s %s: steps %d, train loss %.4f, val loss %.4f%s%s%n", run.id(), run.status(), run.step(), run.trainLoss(),
                    run.valLoss(), run.baselineValLoss() == null ? "" : String.format(", served %.4f", run.baselineValLoss()),
                    run.publishedVersion() == null ? "" : ", published " + model + "/" + run.publishedVersion() + " into " + store.toAbsolutePath());
            System.out.println(run.reason());
            return run.status().equals(RunRecord.FAILED) ? 1 : 0;
        } catch (RunInProgressException e) {
            System.err.println(e.getMessage());
            return 3;
        }
    }

    /** The --chat-template file, checked to compile before hours of training; null without one. */
    private ModelMetadata.Chat chat() throws IOException {
        if (chatTemplate == null) {
            return null;
        }
        String source = Files.readString(chatTemplate);
        ChatTemplate.of(source); // a syntax error fails now, with the line
        List<String> stops = chatStop == null ? List.of("\n\n") : chatStop.stream().map(String::translateEscapes).toList();
        return new ModelMetadata.Chat(source, stops);
    }

    private static TrainingResult trainOnly(Corpus corpus, GptConfig architecture, TrainingConfig training, TrainingListener listener) {
        Engine.getInstance().setRandomSeed((int) training.seed());
        try (Model m = Model.newInstance("train-only")) {
            Gpt gpt = new Gpt(architecture);
            m.setBlock(gpt);
            gpt.initialize(m.getNDManager());
            return new TrainingRun(gpt, m.getNDManager(), corpus.train(), corpus.validation(), training).run(listener);
        }
    }

    private void report(TrainingResult result) {
        System.out.printf("steps %d, wall %.1f s, %.1f ms/step (evaluations excluded), %.0f tokens/s, train loss %.4f, val loss %.4f (mean of %d batches)%n",
                result.steps(), result.wallSeconds(), result.millisPerStep(), result.tokensSeen() / result.stepSeconds(), result.trainLoss(),
                result.valLoss(), evalBatches);
    }

    /** Progress bar for every step; a log line every {@code logInterval} steps and at each evaluation. */
    private record ProgressListener(ProgressBar bar, int logInterval) implements TrainingListener {
        @Override
        public void onStep(StepReport r) {
            bar.stepTo(r.step());
            bar.setExtraMessage(String.format(" loss %.4f lr %.2e %.0f tok/s", r.loss(), r.learningRate(), r.tokensPerSecond()));
            if (r.step() % logInterval == 0) {
                log.info(String.format("step %d/%d: loss %.4f, lr %.2e, grad norm %.2f, %.0f tokens/s, ETA %s", r.step(), r.maxSteps(),
                        r.loss(), r.learningRate(), r.gradNorm(), r.tokensPerSecond(), Duration.ofSeconds((long) r.etaSeconds())));
            }
        }

        @Override
        public void onEvaluation(EvaluationReport r) {
            log.info("step {}: train loss {}, val loss {} ({} s)", r.step(), String.format("%.4f", r.trainLoss()),
                    String.format("%.4f", r.valLoss()), String.format("%.0f", r.elapsedSeconds()));
        }
    }
}

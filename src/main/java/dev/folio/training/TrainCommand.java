package dev.folio.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.chat.ChatTemplate;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.training.config.TrainingConfig;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar folio.jar train --corpus FILE ...}: trains (from scratch, or fine-tunes the current
 * version), resuming a run whose process died, and publishes the result if it beats the served version.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a character-level GPT on a text corpus and publish it into the model store if it beats the current version.",
                "A run whose process died, or was stopped with Ctrl-C, is resumed from its last checkpoint by the same command."})
public final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", required = true, paramLabel = "FILE",
            description = "UTF-8 text file to train on; first 90%% trains, last 10%% validates (Tiny Shakespeare: "
                    + "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt)")
    Path corpus;
    @Option(names = "--store", defaultValue = "model-store", paramLabel = "DIR",
            description = "model store root; a server serving this store picks a new version up by itself (default: ${DEFAULT-VALUE})")
    Path store;
    @Option(names = "--model", defaultValue = "shakespeare-char", description = "model name in the store (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--no-publish", description = "train and report only; the store is not touched (default: ${DEFAULT-VALUE})")
    boolean noPublish;
    @Option(names = "--fine-tune", description = "continue from the current version instead of training from scratch (default: ${DEFAULT-VALUE})")
    boolean fineTune;
    @Option(names = "--no-gate", description = "publish even if the current version's validation loss is lower (default: ${DEFAULT-VALUE})")
    boolean noGate;
    @Option(names = "--margin", defaultValue = "0",
            description = "publish only if val loss is below the current's by more than this (default: ${DEFAULT-VALUE})")
    double margin;
    @Option(names = "--checkpoint-interval", defaultValue = "250",
            description = "steps between resumable checkpoints; 0: none (default: ${DEFAULT-VALUE})")
    int checkpointInterval;
    @Option(names = "--threads", defaultValue = "0", description = "libtorch intra-op threads; 0: all cores (default: ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--keep-versions", defaultValue = "0",
            description = "after publishing, keep the newest N versions; 0: all (default: ${DEFAULT-VALUE})")
    int keepVersions;
    @Option(names = "--lock-stale-seconds", defaultValue = "120",
            description = "take over a training lock with no heartbeat for this long (default: ${DEFAULT-VALUE})")
    long lockStaleSeconds;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "Jinja chat template file published with the model; a model "
            + "trained on other text than plays needs one its vocabulary can render (default: the base version's when fine-tuning, "
            + "else the play-script template, whose speaker names need A-Z and ':')")
    Path chatTemplate;
    @Option(names = "--chat-stop", paramLabel = "TEXT",
            description = "where a chat reply ends, with Java escapes; repeatable (default with --chat-template: \\n\\n)")
    List<String> chatStop;

    @Option(names = "--n-layer", defaultValue = "4", description = "transformer blocks (default: ${DEFAULT-VALUE})") int nLayer;
    @Option(names = "--n-head", defaultValue = "4", description = "attention heads per block (default: ${DEFAULT-VALUE})") int nHead;
    @Option(names = "--n-embd", defaultValue = "256",
            description = "embedding width, a multiple of --n-head (default: ${DEFAULT-VALUE})") int nEmbd;
    @Option(names = "--block-size", defaultValue = "256",
            description = "context length in characters (default: ${DEFAULT-VALUE})") int blockSize;
    @Option(names = "--dropout", defaultValue = "0.0", description = "dropout probability while training (default: ${DEFAULT-VALUE})")
    float dropout;
    @Option(names = "--bias", defaultValue = "false", description = "biases in Linear and LayerNorm (default: ${DEFAULT-VALUE})")
    boolean bias;

    @Option(names = "--batch-size", defaultValue = "16", description = "sequences per step (default: ${DEFAULT-VALUE})") int batchSize;
    @Option(names = "--max-steps", defaultValue = "3000", description = "optimizer steps; the defaults take about 30 minutes on two "
            + "cores, --n-layer 2 --n-embd 64 --block-size 64 --max-steps 1000 about a minute (default: ${DEFAULT-VALUE})") int maxSteps;
    @Option(names = "--lr", defaultValue = "1.5e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})") float learningRate;
    @Option(names = "--min-lr", defaultValue = "1.5e-4",
            description = "learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE})") float minLearningRate;
    @Option(names = "--warmup-steps", defaultValue = "100",
            description = "steps of linear warm-up to --lr (default: ${DEFAULT-VALUE})") int warmupSteps;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW's weight decay (default: ${DEFAULT-VALUE})") float weightDecay;
    @Option(names = "--beta1", defaultValue = "0.9", description = "AdamW's beta1 (default: ${DEFAULT-VALUE})") float beta1;
    @Option(names = "--beta2", defaultValue = "0.99", description = "AdamW's beta2 (default: ${DEFAULT-VALUE})") float beta2;
    @Option(names = "--grad-clip", defaultValue = "1.0",
            description = "clip the global gradient norm to this; 0: no clipping (default: ${DEFAULT-VALUE})") float gradClip;
    @Option(names = "--eval-interval", defaultValue = "250",
            description = "steps between evaluations of the train and validation loss (default: ${DEFAULT-VALUE})") int evalInterval;
    @Option(names = "--eval-batches", defaultValue = "200",
            description = "batches each evaluation averages over (default: ${DEFAULT-VALUE})") int evalBatches;
    @Option(names = "--seed", defaultValue = "1337",
            description = "random seed of the weights and batches (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--log-interval", defaultValue = "100", description = "steps between progress log lines (default: ${DEFAULT-VALUE})")
    int logInterval;
    @Option(names = "--max-minutes", description = "stop early after this many minutes, still evaluating and publishing (default: no limit)")
    Double maxMinutes;

    @Override
    public Integer call() throws Exception {
        String unreadable = unreadable(corpus, "--corpus").or(() -> unreadable(chatTemplate, "--chat-template")).orElse(null);
        if (unreadable != null) {
            spec.commandLine().getErr().println("folio train: " + unreadable);
            return spec.exitCodeOnInvalidInput();
        }
        Corpus text = Corpus.read(corpus);
        GptConfig architecture = new GptConfig(text.tokenizer().vocabSize(), blockSize, nLayer, nHead, nEmbd, dropout, bias);
        Duration wall = maxMinutes == null ? null : Duration.ofMillis((long) (maxMinutes * 60_000));
        TrainingConfig training = TrainingConfig.builder().batchSize(batchSize).maxSteps(maxSteps).learningRate(learningRate)
                .minLearningRate(minLearningRate).warmupSteps(warmupSteps).weightDecay(weightDecay).beta1(beta1).beta2(beta2)
                .gradClip(gradClip).evalInterval(evalInterval).evalBatches(evalBatches).seed(seed).maxWallTime(wall).build();
        log.info("corpus {}: {} characters, vocabulary {}, {} train / {} val tokens", corpus, text.characters(),
                text.tokenizer().vocabSize(), text.train().length, text.validation().length);
        log.info("model {} ({} parameters), training {}", architecture, architecture.parameterCount(), training);

        ManagedTraining managed = noPublish ? null : new ManagedTraining(new ModelStore(store), model);
        String runId = managed == null ? null : managed.nextRunId();
        RunRecord run = null;
        int stopExitCode = 0;
        try (StopSignals stop = StopSignals.install();
                ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(maxSteps)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).showSpeed().build()) {
            ProgressListener progress = new ProgressListener(bar, logInterval, stop);
            if (managed == null) {
                try {
                    report(trainOnly(text, architecture, training, progress));
                    return 0;
                } catch (TrainingRun.RunStoppedException e) {
                    System.out.println("stopped at step " + e.step() + " (--no-publish: nothing is kept)");
                    return stop.exitCode();
                }
            }
            ManagedTraining.Request request = ManagedTraining.Request.builder().corpus(corpus).fromScratch(!fineTune).architecture(architecture)
                    .training(training).checkpointInterval(checkpointInterval).gate(!noGate).margin(margin).threads(threads)
                    .keepVersions(keepVersions).lockStaleAfter(Duration.ofSeconds(lockStaleSeconds)).chat(chat()).build();
            try {
                run = managed.run(request, runId, progress);
            } catch (TrainingRun.RunStoppedException e) {
                stopExitCode = stop.exitCode(); // reported below, once the progress bar has closed
            }
        } catch (RunInProgressException e) {
            System.err.println(e.getMessage());
            return 3;
        }
        if (run == null) {
            return stopped(managed, runId, stopExitCode);
        }
        System.out.printf("run %s %s: steps %d, train loss %.4f, val loss %.4f%s%s%n", run.id(), run.status(), run.step(), run.trainLoss(),
                run.valLoss(), run.baselineValLoss() == null ? "" : String.format(", served %.4f", run.baselineValLoss()),
                run.publishedVersion() == null ? "" : ", published " + model + "/" + run.publishedVersion() + " into " + store.toAbsolutePath());
        System.out.println(run.reason());
        return run.status().equals(RunRecord.FAILED) ? 1 : 0;
    }

    /** Why a file an option names cannot be read, in one line; empty if it can (or none is given). */
    private static java.util.Optional<String> unreadable(Path file, String option) {
        if (file == null || Files.isRegularFile(file) && Files.isReadable(file)) {
            return java.util.Optional.empty();
        }
        String why = !Files.exists(file) ? "does not exist" : Files.isDirectory(file) ? "is a directory" : "cannot be read";
        return java.util.Optional.of(option + " " + file + " " + why + " (" + file.toAbsolutePath() + "); give a UTF-8 text file");
    }

    /** After Ctrl-C: what was kept and the command that goes on from there. */
    private int stopped(ManagedTraining managed, String runId, int exitCode) throws IOException {
        RunRecord run = managed.runs().get(runId).orElseThrow();
        System.out.printf("stopped run %s at step %d of %d; the training lock is released%n", run.id(), run.step(), maxSteps);
        if (run.checkpointStep() != null) {
            System.out.printf("to resume from its checkpoint at step %d, run the same command again:%n  %s%n", run.checkpointStep(),
                    resumeCommand());
        } else {
            System.out.printf("it stopped before its first checkpoint (every %d steps): nothing to resume; the next run starts anew%n",
                    checkpointInterval);
        }
        return exitCode;
    }

    private String resumeCommand() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        List<String> options = !args.isEmpty() && args.get(0).equals("train") ? args.subList(1, args.size()) : args;
        return "java -jar folio.jar train " + String.join(" ", options.stream().map(a -> a.contains(" ") ? "'" + a + "'" : a).toList());
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
    private record ProgressListener(ProgressBar bar, int logInterval, StopSignals stop) implements TrainingListener {
        @Override
        public boolean stopRequested() {
            return stop.requested();
        }

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

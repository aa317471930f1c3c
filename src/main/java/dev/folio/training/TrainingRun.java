package dev.folio.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.folio.model.Gpt;
import dev.folio.training.config.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop, nanoGPT's train.py on DJL: sample a batch, forward, cross-entropy, backward,
 * clip the global gradient norm, AdamW step; evaluate every {@code evalInterval} steps and at the end.
 *
 * <p>It drives DJL's pieces directly rather than through {@code Trainer}: DJL's local parameter
 * server duplicates every gradient each step, its {@code optClipGrad} clamps elements rather than
 * clipping the norm, and its AdamW cannot save its state ({@link NamedAdamW} clips and updates). Every array a step makes lives in a
 * sub-manager closed when the step ends.
 *
 * <p>Resumable: step k's batch comes from a random stream seeded by (seed, k), and dropout's random
 * state is reseeded from (seed, k) at every checkpoint step, so a run resumed from a checkpoint at
 * step k continues as the uninterrupted run would have.
 */
public final class TrainingRun {

    /** The run was asked to stop (shutdown) before its end; it resumes from its last checkpoint. */
    public static final class RunStoppedException extends RuntimeException {
        private final int step;

        public RunStoppedException(int step) {
            super("stopped at step " + step + " for shutdown");
            this.step = step;
        }

        /** Steps completed when it stopped. */
        public int step() {
            return step;
        }
    }

    /** Saves a resumable checkpoint after the given number of completed steps. */
    @FunctionalInterface
    public interface Checkpointer {
        void save(int completedSteps) throws IOException;
    }

    private final Gpt gpt;
    private final NDManager manager;
    private final BatchSampler train;
    private final Evaluator trainEvaluator;
    private final Evaluator valEvaluator;
    private final TrainingConfig config;
    private final Tracker learningRate;
    private final NamedAdamW optimizer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    /**
     * @param gpt an initialised model; its parameters are updated in place
     * @param manager the manager the model's parameters live in; step arrays go in sub-managers of it
     */
    public TrainingRun(Gpt gpt, NDManager manager, int[] trainTokens, int[] valTokens, TrainingConfig config) {
        this.gpt = gpt;
        this.manager = manager;
        this.config = config;
        int blockSize = gpt.config().blockSize();
        this.train = new BatchSampler(trainTokens, blockSize);
        // Fixed evaluation batches, drawn from a seed of their own so they do not depend on the step.
        this.trainEvaluator = new Evaluator(train, config.batchSize(), config.evalBatches(), config.seed() + 1);
        this.valEvaluator = new Evaluator(new BatchSampler(valTokens, blockSize), config.batchSize(), config.evalBatches(), config.seed() + 2);
        this.learningRate = LearningRateSchedule.of(config);
        this.optimizer = new NamedAdamW(config.beta1(), config.beta2(), config.weightDecay(), manager);
        for (Pair<String, Parameter> p : gpt.getParameters()) {
            if (p.getValue().requiresGradient()) {
                parameters.put(p.getKey(), p.getValue());
            }
        }
    }

    /** The optimizer, whose state a checkpoint saves and a resume restores. */
    public NamedAdamW optimizer() {
        return optimizer;
    }

    public TrainingResult run(TrainingListener listener) {
        return run(listener, 0, null, 0);
    }

    /**
     * @param startStep steps already done (0, or the step of the checkpoint being resumed)
     * @param checkpointer called every {@code checkpointInterval} steps; null for none
     */
    public TrainingResult run(TrainingListener listener, int startStep, Checkpointer checkpointer, int checkpointInterval) {
        long tokensPerStep = (long) config.batchSize() * gpt.config().blockSize();
        long start = System.nanoTime();
        long deadline = config.maxWallTime() == null ? Long.MAX_VALUE : start + config.maxWallTime().toNanos();
        List<TrainingListener.EvaluationReport> evaluations = new ArrayList<>();
        int step = startStep;
        long stepNanos = 0;
        reseedDropout(step);
        while (step < config.maxSteps() && System.nanoTime() < deadline) {
            if (listener.stopRequested()) {
                throw new RunStoppedException(step);
            }
            long stepStart = System.nanoTime();
            float lr = learningRate.getNewValue(step + 1);
            StepOutcome outcome = step(new Random(config.seed() * 1_000_003L + step), lr);
            stepNanos += System.nanoTime() - stepStart;
            step++;
            double elapsed = (System.nanoTime() - start) / 1e9;
            listener.onStep(new TrainingListener.StepReport(step, config.maxSteps(), outcome.loss(), lr, outcome.gradNorm(),
                    (step - startStep) * tokensPerStep / elapsed, elapsed));
            if (step % config.evalInterval() == 0 && step < config.maxSteps()) {
                evaluations.add(evaluate(step, start, listener));
            }
            if (checkpointer != null && checkpointInterval > 0 && step % checkpointInterval == 0 && step < config.maxSteps()) {
                try {
                    checkpointer.save(step);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write the checkpoint at step " + step, e);
                }
                reseedDropout(step);
            }
        }
        TrainingListener.EvaluationReport last = evaluate(step, start, listener);
        evaluations.add(last);
        return new TrainingResult(step, (step - startStep) * tokensPerStep, (System.nanoTime() - start) / 1e9, stepNanos / 1e9,
                last.trainLoss(), last.valLoss(), List.copyOf(evaluations));
    }

    private void reseedDropout(int step) {
        if (gpt.config().dropout() > 0) {
            Engine.getInstance().setRandomSeed((int) (config.seed() * 31 + step));
        }
    }

    private TrainingListener.EvaluationReport evaluate(int step, long start, TrainingListener listener) {
        float trainLoss = trainEvaluator.meanLoss(gpt, manager);
        float valLoss = valEvaluator.meanLoss(gpt, manager);
        var report = new TrainingListener.EvaluationReport(step, trainLoss, valLoss, (System.nanoTime() - start) / 1e9);
        listener.onEvaluation(report);
        return report;
    }

    private record StepOutcome(float loss, float gradNorm) {}

    private StepOutcome step(Random random, float lr) {
        try (NDManager stepManager = manager.newSubManager()) {
            NDList batch = train.sample(stepManager, random, config.batchSize());
            float lossValue;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray stepLoss = Evaluator.crossEntropy(gpt, batch, true, loss);
                collector.backward(stepLoss);
                lossValue = stepLoss.getFloat();
            }
            Map<String, NDArray> weights = new LinkedHashMap<>();
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
                NDArray weight = entry.getValue().getArray();
                NDArray gradient = weight.getGradient();
                gradient.attach(stepManager); // the handle is a fresh wrapper; free it with the step
                weights.put(entry.getKey(), weight);
                gradients.put(entry.getKey(), gradient);
            }
            float gradNorm = optimizer.update(weights, gradients, lr, config.gradClip()); // clips, updates, zeroes
            return new StepOutcome(lossValue, gradNorm);
        }
    }
}

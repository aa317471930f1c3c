package dev.folio.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.folio.model.Gpt;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The training loop, nanoGPT's train.py on DJL: sample a batch, forward, cross-entropy, backward,
 * clip the global gradient norm, AdamW step; evaluate every {@code evalInterval} steps and at the end.
 *
 * <p>It drives DJL's pieces directly rather than through {@code Trainer}: DJL's local parameter
 * server duplicates every gradient each step, and its {@code optClipGrad} clamps elements rather than
 * clipping the norm. Every array a step makes lives in a sub-manager closed when the step ends.
 */
public final class TrainingRun {

    private final Gpt gpt;
    private final NDManager manager;
    private final BatchSampler train;
    private final Evaluator trainEvaluator;
    private final Evaluator valEvaluator;
    private final TrainingConfig config;
    private final Tracker learningRate;
    private final Optimizer optimizer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final List<Parameter> parameters;

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
        this.optimizer = new SelectiveWeightDecayAdamW(learningRate, config.beta1(), config.beta2(), config.weightDecay());
        this.parameters = gpt.getParameters().values().stream().filter(Parameter::requiresGradient).toList();
    }

    public TrainingResult run(TrainingListener listener) {
        Random random = new Random(config.seed());
        long tokensPerStep = (long) config.batchSize() * gpt.config().blockSize();
        long start = System.nanoTime();
        long deadline = config.maxWallTime() == null ? Long.MAX_VALUE : start + config.maxWallTime().toNanos();
        List<TrainingListener.EvaluationReport> evaluations = new ArrayList<>();
        int step = 0;
        long stepNanos = 0;
        while (step < config.maxSteps() && System.nanoTime() < deadline) {
            long stepStart = System.nanoTime();
            StepOutcome outcome = step(random);
            stepNanos += System.nanoTime() - stepStart;
            step++;
            double elapsed = (System.nanoTime() - start) / 1e9;
            listener.onStep(new TrainingListener.StepReport(step, config.maxSteps(), outcome.loss(),
                    learningRate.getNewValue(step), outcome.gradNorm(), step * tokensPerStep / elapsed, elapsed));
            if (step % config.evalInterval() == 0 && step < config.maxSteps()) {
                evaluations.add(evaluate(step, start, listener));
            }
        }
        TrainingListener.EvaluationReport last = evaluate(step, start, listener);
        evaluations.add(last);
        return new TrainingResult(step, step * tokensPerStep, (System.nanoTime() - start) / 1e9, stepNanos / 1e9,
                last.trainLoss(), last.valLoss(), List.copyOf(evaluations));
    }

    private TrainingListener.EvaluationReport evaluate(int step, long start, TrainingListener listener) {
        float trainLoss = trainEvaluator.meanLoss(gpt, manager);
        float valLoss = valEvaluator.meanLoss(gpt, manager);
        var report = new TrainingListener.EvaluationReport(step, trainLoss, valLoss, (System.nanoTime() - start) / 1e9);
        listener.onEvaluation(report);
        return report;
    }

    private record StepOutcome(float loss, float gradNorm) {}

    private StepOutcome step(Random random) {
        try (NDManager stepManager = manager.newSubManager()) {
            NDList batch = train.sample(stepManager, random, config.batchSize());
            float lossValue;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray stepLoss = Evaluator.crossEntropy(gpt, new ParameterStore(stepManager, false), batch, true, loss);
                collector.backward(stepLoss);
                lossValue = stepLoss.getFloat();
            }
            List<NDArray> gradients = new ArrayList<>(parameters.size());
            for (Parameter parameter : parameters) {
                NDArray gradient = parameter.getArray().getGradient();
                gradient.attach(stepManager); // the handle is a fresh wrapper; free it with the step
                gradients.add(gradient);
            }
            float gradNorm = GradientClipping.clipGlobalNorm(gradients, config.gradClip());
            for (int i = 0; i < parameters.size(); i++) {
                Parameter parameter = parameters.get(i);
                optimizer.update(parameter.getId(), parameter.getArray(), gradients.get(i));
            }
            return new StepOutcome(lossValue, gradNorm);
        }
    }
}

package dev.folio.training;

/** Receives a training run's progress; the CLI draws a progress bar, the service logs. */
public interface TrainingListener {

    /** After every optimizer step. */
    default void onStep(StepReport report) {}

    /** After every evaluation of the train and validation splits. */
    default void onEvaluation(EvaluationReport report) {}

    /** Checked before every step: true stops the run there (the process is shutting down). */
    default boolean stopRequested() {
        return false;
    }

    TrainingListener NONE = new TrainingListener() {};

    /** One step: its loss, learning rate, global gradient norm (before clipping) and throughput. */
    record StepReport(int step, int maxSteps, float loss, float learningRate, float gradNorm, double tokensPerSecond, double elapsedSeconds) {
        /** Estimated seconds to finish, from the mean step time so far. */
        public double etaSeconds() {
            return step == 0 ? Double.NaN : elapsedSeconds / step * (maxSteps - step);
        }
    }

    /** Mean losses over the fixed evaluation batches at one step. */
    record EvaluationReport(int step, float trainLoss, float valLoss, double elapsedSeconds) {}
}

package dev.folio.training;

import java.util.List;

/**
 * What a finished run did.
 *
 * @param steps optimizer steps taken
 * @param tokensSeen training tokens consumed (steps × batch × block)
 * @param wallSeconds wall time of the run, evaluations included
 * @param stepSeconds time spent in optimizer steps alone
 * @param trainLoss mean train loss at the final evaluation
 * @param valLoss mean validation loss at the final evaluation
 * @param evaluations every evaluation, in order
 */
public record TrainingResult(int steps, long tokensSeen, double wallSeconds, double stepSeconds, float trainLoss, float valLoss,
        List<TrainingListener.EvaluationReport> evaluations) {

    /** Mean time of one optimizer step, evaluations excluded. */
    public double millisPerStep() {
        return steps == 0 ? 0 : stepSeconds * 1000 / steps;
    }
}

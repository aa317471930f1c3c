package dev.folio.training;

import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import dev.folio.training.config.TrainingConfig;

/** nanoGPT's schedule from DJL's trackers: linear warm-up from 0, then cosine decay to the minimum. */
public final class LearningRateSchedule {

    private LearningRateSchedule() {}

    public static Tracker of(TrainingConfig config) {
        Tracker cosine = CosineTracker.builder()
                .setBaseValue(config.learningRate())
                .optFinalValue(config.minLearningRate())
                .setMaxUpdates(config.maxSteps() - config.warmupSteps())
                .build();
        if (config.warmupSteps() == 0) {
            return cosine;
        }
        return WarmUpTracker.builder()
                .setMainTracker(cosine)
                .optWarmUpSteps(config.warmupSteps())
                .optWarmUpBeginValue(0f)
                .build();
    }
}

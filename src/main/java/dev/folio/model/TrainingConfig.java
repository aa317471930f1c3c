package dev.folio.model;

import java.time.Duration;

/**
 * Hyperparameters of one training run (nanoGPT's train.py settings).
 *
 * @param batchSize sequences per step
 * @param maxSteps optimizer steps; also the length of the cosine decay
 * @param learningRate peak learning rate, reached after warm-up
 * @param minLearningRate where the cosine decay ends
 * @param warmupSteps linear warm-up from 0
 * @param weightDecay AdamW decoupled weight decay, applied to 2-D weights only
 * @param beta1 AdamW β1
 * @param beta2 AdamW β2
 * @param gradClip global gradient-norm clip (0 turns it off)
 * @param evalInterval steps between evaluations (and at the end)
 * @param evalBatches batches averaged per evaluation
 * @param seed seeds weights, batches and dropout
 * @param maxWallTime stop early (and still evaluate and publish) once this much time has passed; null for none
 */
public record TrainingConfig(
        int batchSize,
        int maxSteps,
        float learningRate,
        float minLearningRate,
        int warmupSteps,
        float weightDecay,
        float beta1,
        float beta2,
        float gradClip,
        int evalInterval,
        int evalBatches,
        long seed,
        Duration maxWallTime) {

    public TrainingConfig {
        if (batchSize <= 0 || maxSteps <= 0 || evalInterval <= 0 || evalBatches <= 0) {
            throw new IllegalArgumentException("batchSize, maxSteps, evalInterval and evalBatches must be positive");
        }
        if (warmupSteps < 0 || warmupSteps >= maxSteps) {
            throw new IllegalArgumentException("warmupSteps must be in [0, maxSteps), was " + warmupSteps);
        }
        if (!(learningRate > 0) || minLearningRate < 0 || minLearningRate > learningRate) {
            throw new IllegalArgumentException("need 0 <= minLearningRate <= learningRate and learningRate > 0");
        }
    }

    /** nanoGPT's CPU recipe for shakespeare_char (README "I only have a macbook"): 2000 steps, batch 12. */
    public static TrainingConfig nanoGptCpuRecipe() {
        return new TrainingConfig(12, 2000, 1e-3f, 1e-4f, 100, 0.1f, 0.9f, 0.99f, 1.0f, 250, 20, 1337, null);
    }
}

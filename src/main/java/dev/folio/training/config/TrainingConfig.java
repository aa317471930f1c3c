package dev.folio.training.config;

import java.time.Duration;

/**
 * Hyperparameters of one training run (nanoGPT's train.py settings). Build one by name:
 * {@code TrainingConfig.builder().batchSize(8).maxSteps(60).warmupSteps(5).build()}; whatever is not named keeps
 * nanoGPT's CPU recipe ({@link #nanoGptCpuRecipe()}).
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
        return builder().build();
    }

    /** A builder that starts from nanoGPT's CPU recipe; {@link Builder#build()} checks the whole as the constructor does. */
    public static Builder builder() {
        return new Builder();
    }

    /** Hyperparameters by name, so a call site says which number is which. */
    public static final class Builder {
        private int batchSize = 12;
        private int maxSteps = 2000;
        private float learningRate = 1e-3f;
        private float minLearningRate = 1e-4f;
        private int warmupSteps = 100;
        private float weightDecay = 0.1f;
        private float beta1 = 0.9f;
        private float beta2 = 0.99f;
        private float gradClip = 1.0f;
        private int evalInterval = 250;
        private int evalBatches = 20;
        private long seed = 1337;
        private Duration maxWallTime;

        private Builder() {}

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder maxSteps(int maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        public Builder learningRate(float learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder minLearningRate(float minLearningRate) {
            this.minLearningRate = minLearningRate;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder beta1(float beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(float beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder gradClip(float gradClip) {
            this.gradClip = gradClip;
            return this;
        }

        public Builder evalInterval(int evalInterval) {
            this.evalInterval = evalInterval;
            return this;
        }

        public Builder evalBatches(int evalBatches) {
            this.evalBatches = evalBatches;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Null for no limit. */
        public Builder maxWallTime(Duration maxWallTime) {
            this.maxWallTime = maxWallTime;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(batchSize, maxSteps, learningRate, minLearningRate, warmupSteps, weightDecay, beta1, beta2, gradClip,
                    evalInterval, evalBatches, seed, maxWallTime);
        }
    }
}

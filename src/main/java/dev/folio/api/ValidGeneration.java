package dev.folio.api;

import dev.folio.inference.SamplingParameters;
import dev.folio.store.ModelRegistry;

/**
 * A generation request that passed every check (limits, ranges, the model's vocabulary), as TGI's router has its
 * ValidGenerateRequest: what the decode scheduler is given, whichever protocol it came from.
 *
 * @param inputs the prompt text (encoded again against the model version that runs it)
 * @param truncate keep only the last this-many prompt tokens (null: the context window)
 * @param sampling how to choose tokens and when to stop
 * @param topNTokens alternatives to report per generated token
 * @param prefillLogprobs report the prompt tokens' log-probabilities
 * @param model the served model that runs it
 */
public record ValidGeneration(String inputs, Integer truncate, SamplingParameters sampling, int topNTokens, boolean prefillLogprobs,
        ModelRegistry model) {

    /** The version its model serves now (what a stream's X-Folio-Model-Version says: the one it will start on). */
    public String currentVersion() {
        return model.currentMetadata().map(dev.folio.store.ModelMetadata::version).orElse("");
    }

    public ValidGeneration withSampling(SamplingParameters newSampling) {
        return new ValidGeneration(inputs, truncate, newSampling, topNTokens, prefillLogprobs, model);
    }
}

package dev.folio.api;

import dev.folio.inference.SamplingParameters;
import dev.folio.store.LoadedModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A generation request that passed every check (limits, ranges, the model's vocabulary), as TGI's router has its
 * ValidGenerateRequest: what the decode scheduler is given, whichever protocol it came from. It holds the model
 * version it was validated against until it has run, so a version swapped in meanwhile never fails it.
 *
 * @param promptIds the prompt's token ids in that version's vocabulary (truncated as asked)
 * @param sampling how to choose tokens and when to stop
 * @param topNTokens alternatives to report per generated token
 * @param prefillLogprobs report the prompt tokens' log-probabilities
 * @param version the model version it was validated against, and runs on
 * @param hold the lease on that version; the run closes it
 */
public record ValidGeneration(int[] promptIds, SamplingParameters sampling, int topNTokens, boolean prefillLogprobs, String version,
        VersionHold hold) implements AutoCloseable {

    /** The model version it runs on. */
    LoadedModel model() {
        return hold.model();
    }

    /** The name of the model it runs on. */
    public String modelName() {
        return hold.model().metadata().modelName();
    }

    /** The same request with other sampling (a sample's own seed), holding the same version. */
    public ValidGeneration withSampling(SamplingParameters newSampling) {
        return new ValidGeneration(promptIds, newSampling, topNTokens, prefillLogprobs, version, hold.share());
    }

    /**
     * {@code n} samples of this request (OpenAI's n and best_of, TGI's best_of), validated once and holding its version:
     * a seeded request's take seed, seed + 1, ... (reproducible, and different from each other); unseeded ones each draw
     * their own seed when they run.
     */
    public List<ValidGeneration> samples(int n) {
        List<ValidGeneration> samples = new ArrayList<>(n);
        Long seed = sampling.seed();
        for (int i = 0; i < n; i++) {
            samples.add(i == 0 ? this : withSampling(seed == null ? sampling : sampling.withSeed(seed + i)));
        }
        return samples;
    }

    /** Lets its version go: after it ran, or when it will not run. */
    @Override
    public void close() {
        hold.close();
    }
}

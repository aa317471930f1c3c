package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

    private static final float[] LOGITS = {0f, 2f, 1f, -1f};

    @Test
    void greedyTakesTheLargestLogit() {
        TokenSampler.Choice choice = new TokenSampler(SamplingParameters.greedy(1), 0).next(LOGITS);
        assertThat(choice.id()).isEqualTo(1);
        double z = Math.log(Math.exp(0) + Math.exp(2) + Math.exp(1) + Math.exp(-1));
        assertThat((double) choice.logprob()).isCloseTo(2 - z, within(1e-5));
    }

    @Test
    void samplingFollowsTheDistributionAndTopKAndTopPCutItsTail() {
        int[] counts = new int[4];
        TokenSampler sampler = new TokenSampler(new SamplingParameters(1, true, 1f, null, null, 1L, List.of()), 1);
        for (int i = 0; i < 20_000; i++) {
            counts[sampler.next(LOGITS).id()]++;
        }
        double z = Math.exp(0) + Math.exp(2) + Math.exp(1) + Math.exp(-1);
        assertThat(counts[1] / 20_000.0).isCloseTo(Math.exp(2) / z, within(0.02));
        assertThat(counts[3]).isPositive();

        TokenSampler topTwo = new TokenSampler(new SamplingParameters(1, true, 1f, 2, null, 1L, List.of()), 2);
        TokenSampler nucleus = new TokenSampler(new SamplingParameters(1, true, 1f, null, 0.5f, 1L, List.of()), 3);
        for (int i = 0; i < 2_000; i++) {
            assertThat(topTwo.next(LOGITS).id()).isIn(1, 2);
            assertThat(nucleus.next(LOGITS).id()).as("p(1) = 0.64 alone reaches 0.5").isEqualTo(1);
        }
    }

    @Test
    void samplingWithoutTruncationDrawsEveryTokenAtItsProbabilityAndNeverAMaskedOne() {
        float[] logits = {0f, 2f, Float.NEGATIVE_INFINITY, 1f, -1f, Float.NEGATIVE_INFINITY};
        float temperature = 0.7f;
        TokenSampler sampler = new TokenSampler(new SamplingParameters(1, true, temperature, null, null, 7L, List.of()), 7);
        int draws = 40_000;
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.next(logits).id()]++;
        }
        double z = 0;
        for (float logit : logits) {
            z += Math.exp(logit / temperature);
        }
        for (int id = 0; id < logits.length; id++) {
            assertThat(counts[id] / (double) draws).as("token %d", id).isCloseTo(Math.exp(logits[id] / temperature) / z, within(0.01));
        }
        assertThat(counts[2] + counts[5]).as("masked tokens").isZero();
    }

    @Test
    void warpersTurnSamplingOnAsInTgi() {
        assertThat(new SamplingParameters(1, false, 1f, null, null, null, null).sampling()).isFalse();
        assertThat(new SamplingParameters(1, false, 0.7f, null, null, null, null).sampling()).isTrue();
        assertThat(new SamplingParameters(1, false, 1f, 5, null, null, null).sampling()).isTrue();
        assertThat(new SamplingParameters(1, false, 1f, null, 0.9f, null, null).sampling()).isTrue();
    }
}

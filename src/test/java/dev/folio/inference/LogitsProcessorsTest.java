package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each processor's effect on the choice, observed through the sampler. */
class LogitsProcessorsTest {

    private static final float[] LOGITS = {0f, 2f, 1.5f, -1f};

    private static SamplingParameters greedy(LogitAdjustments adjustments) {
        return new SamplingParameters(1, false, 1f, null, null, null, List.of(), 1f, adjustments);
    }

    private static SamplingParameters sampled(LogitAdjustments adjustments) {
        return new SamplingParameters(1, true, 1f, null, null, 7L, List.of(), 1f, adjustments);
    }

    private static LogitAdjustments bias(Map<Integer, Float> bias) {
        return new LogitAdjustments(bias, 0f, 0f, 0f, null, null);
    }

    @Test
    void logitBiasBansAndForcesTokens() {
        TokenSampler banned = new TokenSampler(sampled(bias(Map.of(1, -100f))), 1);
        TokenSampler forced = new TokenSampler(sampled(bias(Map.of(3, 100f))), 2);
        int[] counts = new int[4];
        for (int i = 0; i < 5_000; i++) {
            counts[banned.next(LOGITS).id()]++;
            assertThat(forced.next(LOGITS).id()).isEqualTo(3);
        }
        assertThat(counts[1]).as("a -100 bias bans the most likely token").isZero();
        assertThat(counts[2]).isPositive();
        TokenSampler.Choice choice = new TokenSampler(greedy(bias(Map.of(3, 100f))), 0).next(LOGITS);
        assertThat(choice.logprob()).as("logprobs stay the model's own").isEqualTo(TokenSampler.logSoftmax(LOGITS)[3]);
    }

    @Test
    void openAisPenaltiesCountOnlyTheGeneratedTokens() {
        int[] history = {1, 1}; // token 1, once in the prompt and once generated
        LogitAdjustments presence = new LogitAdjustments(Map.of(), 0.6f, 0f, 0f, null, null);
        assertThat(new TokenSampler(greedy(presence), 0, 1).next(LOGITS, history, 2).id()).as("2 - 0.6 < 1.5").isEqualTo(2);
        assertThat(new TokenSampler(greedy(presence), 0, 2).next(LOGITS, history, 2).id()).as("only in the prompt: no penalty").isEqualTo(1);
        LogitAdjustments frequency = new LogitAdjustments(Map.of(), 0f, 0.3f, 0f, null, null);
        assertThat(new TokenSampler(greedy(frequency), 0, 0).next(LOGITS, history, 2).id()).as("2 - 2 × 0.3 < 1.5").isEqualTo(2);
        assertThat(new TokenSampler(greedy(frequency), 0, 1).next(LOGITS, history, 2).id()).as("2 - 1 × 0.3 > 1.5").isEqualTo(1);
        LogitAdjustments negative = new LogitAdjustments(Map.of(), -2f, -2f, 0f, null, null);
        assertThat(new TokenSampler(greedy(negative), 0, 0).next(LOGITS, new int[] {3}, 1).id()).as("negative penalties favour repeats: -1 + 4")
                .isEqualTo(3);
    }

    @Test
    void tgisFrequencyPenaltyWeighsEachTokensShareOfTheText() {
        LogitAdjustments penalty = new LogitAdjustments(Map.of(), 0f, 0f, 1.5f, null, null);
        // token 1 is half the text: 2 - 1.5 × 0.5 = 1.25 < 1.5
        assertThat(new TokenSampler(greedy(penalty), 0, 4).next(LOGITS, new int[] {1, 0, 1, 3}, 4).id()).isEqualTo(2);
        // a quarter: 2 - 1.5 × 0.25 = 1.625 > 1.5 - 0
        assertThat(new TokenSampler(greedy(penalty), 0, 4).next(LOGITS, new int[] {1, 0, 0, 3}, 4).id()).isEqualTo(1);
    }

    @Test
    void typicalSamplingKeepsTheTokensNearestTheEntropy() {
        // probabilities 1/2, 1/4, 1/8, 1/8: entropy 1.21 nats; token 1's surprisal (1.39) is the nearest, then token 0's (0.69)
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125), (float) Math.log(0.125)};
        TokenSampler typical = new TokenSampler(sampled(new LogitAdjustments(Map.of(), 0f, 0f, 0f, 0.2f, null)), 3);
        TokenSampler wider = new TokenSampler(sampled(new LogitAdjustments(Map.of(), 0f, 0f, 0f, 0.7f, null)), 4);
        int[] counts = new int[4];
        for (int i = 0; i < 3_000; i++) {
            assertThat(typical.next(logits).id()).as("the typical set of mass 0.2 is token 1 alone, not the most likely").isEqualTo(1);
            counts[wider.next(logits).id()]++;
        }
        assertThat(counts[0]).isPositive();
        assertThat(counts[1]).isPositive();
        assertThat(counts[2] + counts[3]).as("0.25 + 0.5 reaches 0.7: the least typical are cut").isZero();
        assertThat(greedy(new LogitAdjustments(Map.of(), 0f, 0f, 0f, 0.9f, null)).sampling()).as("typical_p turns sampling on, as in TGI").isTrue();
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertThatThrownBy(() -> bias(Map.of(1, 101f))).hasMessageContaining("[-100, 100]");
        assertThatThrownBy(() -> new LogitAdjustments(Map.of(), 2.5f, 0f, 0f, null, null)).hasMessageContaining("presence_penalty");
        assertThatThrownBy(() -> new LogitAdjustments(Map.of(), 0f, 0f, 0f, 0f, null)).hasMessageContaining("typical_p");
    }
}

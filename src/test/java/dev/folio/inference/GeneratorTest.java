package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.store.LoadedModel;
import dev.folio.store.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    @TempDir
    Path root;
    private LoadedModel model;
    private final Generator generator = new Generator();

    @BeforeEach
    void setUp() throws IOException {
        model = TestModels.publishAndLoad(root, 9);
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    private SamplingParameters sampled(int tokens, long seed) {
        return new SamplingParameters(tokens, true, 1f, null, null, seed, List.of());
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
        String a = generator.generate(model, "to be", sampled(60, 42)).generatedText();
        String b = generator.generate(model, "to be", sampled(60, 42)).generatedText();
        String c = generator.generate(model, "to be", sampled(60, 43)).generatedText();
        assertThat(a).hasSize(60).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void generatesPastTheContextWindowByShiftingIt() {
        int window = model.gpt().config().blockSize();
        List<Generation.GeneratedToken> streamed = new ArrayList<>();
        GenerationListener listener = new GenerationListener() {
            @Override
            public void onToken(Generation.GeneratedToken token, boolean last) {
                streamed.add(token);
            }
        };
        Generation g = generator.generate(model, GenerationRequest.of(DecodingRules.encodePrompt(model, "abc", null), sampled(3 * window, 1)), listener);
        assertThat(g.tokens()).hasSize(3 * window).isEqualTo(streamed);
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.generatedText().codePoints()).allMatch(model.tokenizer()::contains);
    }

    @Test
    void greedyDecodingTakesTheMostLikelyTokenEveryTime() {
        Generation g = generator.generate(model, "the", SamplingParameters.greedy(20));
        for (Generation.GeneratedToken token : g.tokens()) {
            assertThat(token.logprob()).isLessThanOrEqualTo(0f);
        }
        Generation again = generator.generate(model, "the", new SamplingParameters(20, true, 1f, 1, null, 5L, List.of()));
        assertThat(again.generatedText()).as("top_k=1 sampling is greedy").isEqualTo(g.generatedText());
    }

    @Test
    void stopsAtAStopSequenceAndKeepsIt() {
        String free = generator.generate(model, "ab", sampled(80, 7)).generatedText();
        String stop = free.substring(20, 22);
        Generation g = generator.generate(model, "ab", new SamplingParameters(80, true, 1f, null, null, 7L, List.of(stop)));
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(g.generatedText()).endsWith(stop).isEqualTo(free.substring(0, free.indexOf(stop) + stop.length()));
    }

    @Test
    void reportsPromptLogprobsAndTopAlternativesWhenAsked() {
        int[] prompt = DecodingRules.encodePrompt(model, "to be", null);
        Generation g = generator.generate(model, new GenerationRequest(prompt, sampled(5, 3), 4, true), GenerationListener.NONE);
        assertThat(g.prefill()).extracting(Generation.PrefillToken::text).containsExactly("t", "o", " ", "b", "e");
        assertThat(g.prefill().get(0).logprob()).isNull();
        assertThat(g.prefill().subList(1, 5)).allSatisfy(t -> assertThat(t.logprob()).isNegative());
        for (Generation.GeneratedToken token : g.tokens()) {
            assertThat(token.topTokens()).hasSize(4);
            assertThat(token.topTokens()).extracting(Generation.TokenLogprob::logprob).isSortedAccordingTo((a, b) -> Float.compare(b, a));
            assertThat(token.logprob()).isLessThanOrEqualTo(token.topTokens().get(0).logprob());
        }
    }

    @Test
    void aCancelledGenerationStopsAtTheNextStep() {
        List<Generation.GeneratedToken> seen = new ArrayList<>();
        GenerationListener cancelAfterThree = new GenerationListener() {
            @Override
            public void onToken(Generation.GeneratedToken token, boolean last) {
                seen.add(token);
            }

            @Override
            public boolean cancelled() {
                return seen.size() >= 3;
            }
        };
        assertThatThrownBy(() -> generator.generate(model, GenerationRequest.of(new int[] {1, 2}, sampled(50, 1)), cancelAfterThree))
                .isInstanceOf(GenerationCancelledException.class);
        assertThat(seen).hasSize(3);
    }

    @Test
    void repetitionPenaltyDiscouragesTokensAlreadySeen() {
        SamplingParameters plain = SamplingParameters.greedy(60);
        SamplingParameters penalized = new SamplingParameters(60, false, 1f, null, null, null, List.of(), 50f);
        long plainDistinct = generator.generate(model, "ab", plain).generatedText().chars().distinct().count();
        long penalizedDistinct = generator.generate(model, "ab", penalized).generatedText().chars().distinct().count();
        assertThat(penalizedDistinct).isGreaterThan(plainDistinct);
    }

    @Test
    void promptsLongerThanTheWindowKeepTheirLastTokens() {
        String longPrompt = "ab".repeat(model.gpt().config().blockSize()) + "c";
        int[] kept = DecodingRules.encodePrompt(model, longPrompt, null);
        assertThat(kept).hasSize(model.gpt().config().blockSize());
        assertThat(model.tokenizer().decode(kept)).isEqualTo(longPrompt.substring(longPrompt.length() - kept.length));
        assertThat(DecodingRules.encodePrompt(model, longPrompt, 10)).hasSize(10);
        assertThatThrownBy(() -> DecodingRules.encodePrompt(model, "abc!", null)).hasMessageContaining("'!' (U+0021) at position 3");
    }
}

package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.chat.ChatTemplate;
import dev.folio.inference.Generation;
import dev.folio.inference.Generator;
import dev.folio.inference.SamplingParameters;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model the repository ships: it verifies, loads and writes only characters of its vocabulary. */
class BundledModelTest {

    @Test
    void theBundledModelLoadsAndGeneratesOnlyVocabularyCharacters() throws Exception {
        ModelStore store = new ModelStore(Path.of("model-store"));
        try (LoadedModel model = store.loadCurrent("shakespeare-char")) {
            assertThat(model.tokenizer().vocabSize()).isEqualTo(65);
            assertThat(model.metadata().training().valLoss()).isLessThanOrEqualTo(1.60f);
            assertThat(model.metadata().chat().template()).as("the bundled model carries the default chat template")
                    .isEqualTo(ChatTemplate.playScript().source());
            assertThat(model.metadata().chat().stop()).containsExactly("\n\n");
            Generation generation = new Generator().generate(model, "ROMEO:",
                    new SamplingParameters(200, true, 0.8f, null, null, 1L, List.of()));
            assertThat(generation.generatedText()).hasSize(200);
            assertThat(generation.generatedText().codePoints()).allMatch(model.tokenizer()::contains);
            // a trained model assigns its own samples far more probability than chance (ln 65 ≈ 4.17 nats)
            double meanNll = -generation.tokens().stream().mapToDouble(Generation.GeneratedToken::logprob).average().orElseThrow();
            assertThat(meanNll).isLessThan(2.0);
        }
    }
}

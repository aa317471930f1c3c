package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.Generation;
import dev.folio.store.ModelRegistry;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.TestPropertySource;

/**
 * A request runs on the version it was validated against. Here the version swapped in between validation and decoding has
 * another vocabulary (capitals only), in which the prompt cannot even be written: encoded again at run time, as before, it
 * failed inside a stream that had already started.
 */
@TestPropertySource(properties = {"folio.generation.max-stop-sequences=6", "folio.generation.max-top-n-tokens=70", "folio.generation.max-best-of=10"}) // ConfiguredLimitsApiTest's server
class VersionSwapAfterValidationTest extends TinyModelServerTest {

    @Autowired
    GenerationService service;

    @Autowired
    ModelRouter router;

    @Value("${folio.store.path}")
    String storePath;

    @Test
    void aSwapBetweenValidationAndDecodingRunsTheValidatedVersion() throws Exception {
        ModelRegistry registry = router.resolve(null, "model");
        String validatedVersion = registry.currentMetadata().orElseThrow().version();
        ValidGeneration whole = validate();
        ValidGeneration streamed = validate();
        assertThat(whole.version()).isEqualTo(validatedVersion);

        ModelStore other = TestStore.create("swap").store();
        TestModels.publish(other, TestModels.NAME, TestModels.CAPS_TOKENIZER, null, 5);
        registry.swap(other.loadCurrent(TestModels.NAME));
        try {
            assertThat(TestModels.CAPS_TOKENIZER.vocabulary()).doesNotContain("a");
            Generation generation = service.run(whole, ClientConnection.UNKNOWN);
            assertThat(generation.modelVersion()).isEqualTo(validatedVersion);
            assertThat(generation.generatedText()).hasSize(8).matches("[a-z ,.\\n]*");

            List<Generation.GeneratedToken> relayed = new ArrayList<>();
            Generation stream;
            try (ConcurrencyLimiter.Permit ignored = service.admit()) {
                stream = service.runAdmitted(streamed, (token, last) -> relayed.add(token), () -> false);
            }
            assertThat(stream.modelVersion()).isEqualTo(validatedVersion);
            assertThat(relayed).hasSize(8);
        } finally {
            registry.swap(new ModelStore(Path.of(storePath)).loadCurrent(TestModels.NAME));
        }
    }

    private ValidGeneration validate() {
        return service.validate(GenerationSpec.builder("abc", GenerationSpec.Fields.TGI).maxNewTokens(8).seed(1L).doSample(true).build());
    }
}

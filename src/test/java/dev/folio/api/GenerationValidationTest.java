package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Validation, without a server: a protocol's spec becomes one validated request (the prompt as token ids, the version it
 * runs on, its sampling) or a 4xx naming the field in the protocol's own terms, with every bound read from configuration.
 */
class GenerationValidationTest {

    private static final TestStore STORE = TestStore.withTinyModel("validation-test", 23);
    private static RequestPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        pipeline = RequestPipeline.over(STORE, Map.of("generation.max-stop-sequences", "2", "generation.max-new-tokens-limit", "7",
                "generation.max-top-n-tokens", "3", "generation.max-input-length", "12", "generation.default-max-new-tokens", "5"));
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    private static GenerationSpec.Builder tgi(String inputs) {
        return GenerationSpec.builder(inputs, GenerationSpec.Fields.TGI);
    }

    private static ValidGeneration validate(GenerationSpec.Builder spec) {
        return pipeline.service().validate(spec.build());
    }

    private static InvalidRequestException refusal(GenerationSpec.Builder spec) {
        return catchThrowableOfType(InvalidRequestException.class, () -> validate(spec));
    }

    @Test
    void aValidRequestCarriesItsPromptAsTokenIdsAndTheVersionItRunsOn() throws Exception {
        try (ValidGeneration valid = validate(tgi("the king").maxNewTokens(5).stop(List.of("x")).seed(3L).doSample(true))) {
            assertThat(valid.promptIds()).containsExactly(TestModels.TOKENIZER.encode("the king"));
            assertThat(valid.version()).isEqualTo(STORE.store().currentVersion(TestModels.NAME).orElseThrow());
            assertThat(valid.modelName()).isEqualTo(TestModels.NAME);
            assertThat(valid.sampling().maxNewTokens()).isEqualTo(5);
            assertThat(valid.sampling().stop()).containsExactly("x");
            assertThat(valid.sampling().seed()).isEqualTo(3L);
        }
    }

    @Test
    void everyBoundIsTheConfiguredOne() {
        try (ValidGeneration atTheBounds = validate(tgi("abc").maxNewTokens(7).stop(List.of("x", "y")).topNTokens(3))) {
            assertThat(atTheBounds.topNTokens()).isEqualTo(3);
        }
        assertThat(refusal(tgi("abc").maxNewTokens(8))).hasMessageContaining("between 1 and 7").extracting(ApiException::param)
                .isEqualTo("max_new_tokens");
        assertThat(refusal(tgi("abc").stop(List.of("x", "y", "z")))).hasMessageContaining("at most 2").extracting(ApiException::param)
                .isEqualTo("parameters.stop");
        assertThat(refusal(tgi("abc").topNTokens(4))).hasMessageContaining("at most 3").extracting(ApiException::param)
                .isEqualTo("top_n_tokens");
        assertThat(refusal(tgi("abcdefghijklm"))).hasMessageContaining("at most 12 characters").extracting(ApiException::param)
                .isEqualTo("inputs");
    }

    @Test
    void eachProtocolHearsOfItsOwnFields() {
        GenerationSpec.Builder completion = GenerationSpec.builder("abc", GenerationSpec.Fields.OPENAI_COMPLETIONS).topNTokens(4);
        assertThat(refusal(completion).param()).isEqualTo("logprobs");
        GenerationSpec.Builder chat = GenerationSpec.builder("abc", GenerationSpec.Fields.CHAT).maxNewTokens(8);
        assertThat(refusal(chat).param()).isEqualTo("max_tokens");
    }

    @Test
    void aPromptOutsideTheVocabularyIsRefusedNamingItsField() {
        InvalidRequestException refused = refusal(GenerationSpec.builder("ABC", GenerationSpec.Fields.OPENAI_COMPLETIONS));
        assertThat(refused.param()).isEqualTo("prompt");
        assertThat(refused).hasMessageContaining("prompt");
    }

    @Test
    void aLogitBiasOutsideTheVocabularyIsRefused() {
        int vocabulary = TestModels.TOKENIZER.vocabSize();
        assertThat(refusal(tgi("abc").logitBias(Map.of(String.valueOf(vocabulary), 1f))))
                .hasMessageContaining("token id " + vocabulary + " is not in the vocabulary").extracting(ApiException::param).isEqualTo("logit_bias");
    }

    @Test
    void samplesOfOneRequestTakeConsecutiveSeedsAndShareItsVersion() {
        ValidGeneration valid = validate(tgi("abc").doSample(true).seed(40L));
        List<ValidGeneration> samples = valid.samples(3);
        try {
            assertThat(samples).extracting(s -> s.sampling().seed()).containsExactly(40L, 41L, 42L);
            assertThat(samples).extracting(ValidGeneration::version).containsOnly(valid.version());
        } finally {
            samples.forEach(ValidGeneration::close);
        }
    }
}

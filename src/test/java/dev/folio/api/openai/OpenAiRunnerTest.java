package dev.folio.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.api.ChunkLogprobs;
import dev.folio.api.ClientConnection;
import dev.folio.api.GenerationSpec;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.RequestPipeline;
import dev.folio.api.openai.OpenAiRunner.Answer;
import dev.folio.api.openai.OpenAiWire.ChoicePart;
import dev.folio.api.openai.OpenAiWire.Envelope;
import dev.folio.inference.Generation;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one runner of OpenAI's completions and chat, without a server: what n, best_of, seeds, temperature 0, stop sequences,
 * logprobs and usage mean for the choices, whichever route asked, and that a stream sends what the whole answer holds.
 */
class OpenAiRunnerTest {

    private static final TestStore STORE = TestStore.withTinyModel("runner-test", 29);
    private static final String PROMPT = "the king";
    private static RequestPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        pipeline = RequestPipeline.over(STORE, Map.of("generation.max-best-of", "6"));
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    /** Writes the runner's parts as they are, so the test reads what any route would be given. */
    private record PartsWire(String echo) implements OpenAiWire {
        @Override
        public String idPrefix() {
            return "test-";
        }

        @Override
        public String prefix(int prompt) {
            return echo;
        }

        @Override
        public Object chunk(Envelope envelope, ChoicePart part) {
            return part;
        }

        @Override
        public Object usageChunk(Envelope envelope, Usage usage) {
            return usage;
        }

        @Override
        public Object whole(Envelope envelope, List<ChoicePart> choices, Usage usage) {
            return choices;
        }
    }

    private static OpenAiJob.Builder job(Float temperature, Long seed, int maxTokens) {
        return OpenAiJob.builder(List.of(GenerationSpec.text(PROMPT)), GenerationSpec.Fields.OPENAI_COMPLETIONS)
                .maxTokens(maxTokens)
                .sampling(new OpenAiSampling(temperature, null, seed, null, null, null, null));
    }

    private static Answer run(OpenAiJob.Builder job) {
        return pipeline.runner().run(job.build(), new PartsWire(""), ClientConnection.UNKNOWN);
    }

    private static List<String> texts(Answer answer) {
        return answer.choices().stream().map(ChoicePart::text).toList();
    }

    @Test
    void choiceIOfASeededRequestIsTheRequestWithSeedPlusI() throws Exception {
        Answer three = run(job(0.9f, 40L, 10).n(3));
        assertThat(texts(three)).as("each choice its own seed").doesNotHaveDuplicates();
        for (int i = 0; i < 3; i++) {
            assertThat(three.choices().get(i).text()).isEqualTo(texts(run(job(0.9f, 40L + i, 10))).get(0));
            assertThat(three.choices().get(i).index()).isEqualTo(i);
        }
        assertThat(three.usage().promptTokens()).as("one prompt, counted once").isEqualTo(PROMPT.length());
        assertThat(three.usage().completionTokens()).isEqualTo(3 * 10);
        assertThat(three.usage().totalTokens()).isEqualTo(PROMPT.length() + 30);
        assertThat(three.envelope().id()).startsWith("test-");
        assertThat(three.envelope().model()).isEqualTo(TestModels.NAME + ":" + STORE.store().currentVersion(TestModels.NAME).orElseThrow());
    }

    @Test
    void temperatureZeroIsGreedyWhateverTheSeed() {
        assertThat(texts(run(job(0f, 1L, 10).n(3)))).containsOnly(texts(run(job(0f, 99L, 10))).get(0));
    }

    @Test
    void bestOfReturnsTheNSamplesWithTheHighestMeanLogprobBestFirst() {
        List<ChoicePart> all = run(job(1f, 7L, 10).n(4).logprobs(0)).choices();
        List<String> expected = all.stream().sorted(Comparator.comparingDouble(OpenAiRunnerTest::meanLogprob).reversed()).limit(2)
                .map(ChoicePart::text).toList();
        Answer best = run(job(1f, 7L, 10).n(2).bestOf(4).logprobs(0));
        assertThat(texts(best)).isEqualTo(expected);
        assertThat(best.usage().completionTokens()).as("the usage of the choices returned").isEqualTo(2 * 10);
    }

    private static double meanLogprob(ChoicePart part) {
        return part.logprobs().stream().mapToDouble(ChunkLogprobs.Entry::logprob).average().orElse(0);
    }

    @Test
    void aStopSequenceEndsTheChoiceAndIsLeftOutOfItsText() {
        ChoicePart free = run(job(0f, null, 12)).choices().get(0);
        assertThat(free.finishReason()).isEqualTo("length");
        String stop = free.text().substring(4, 6);
        ChoicePart stopped = run(job(0f, null, 12).stop(List.of(stop))).choices().get(0);
        assertThat(stopped.finishReason()).isEqualTo("stop");
        assertThat(stopped.text()).isEqualTo(free.text().substring(0, free.text().indexOf(stop)));
    }

    @Test
    void aChatIsACompletionWhoseTemplateAddsItsOwnStop() {
        ChoicePart free = run(job(0f, null, 12)).choices().get(0);
        String endOfSpeech = free.text().substring(5, 7);
        GenerationSpec.PromptSource rendered = model -> new GenerationSpec.Prompt(PROMPT, List.of(endOfSpeech)); // as a chat template renders
        OpenAiJob chat = OpenAiJob.builder(List.of(rendered), GenerationSpec.Fields.CHAT).maxTokens(12)
                .sampling(new OpenAiSampling(0f, null, null, null, null, null, null)).build();
        ChoicePart reply = pipeline.runner().run(chat, new PartsWire(""), ClientConnection.UNKNOWN).choices().get(0);
        assertThat(reply.finishReason()).isEqualTo("stop");
        assertThat(reply.text()).isEqualTo(free.text().substring(0, free.text().indexOf(endOfSpeech)));
    }

    @Test
    void logprobsCoverExactlyTheTextTheChoiceSends() {
        ChoicePart free = run(job(0f, null, 12)).choices().get(0);
        String stop = free.text().substring(6, 8);
        OpenAiJob echoed = job(0f, null, 12).stop(List.of(stop)).logprobs(2).build();
        ChoicePart part = pipeline.runner().run(echoed, new PartsWire(PROMPT), ClientConnection.UNKNOWN).choices().get(0);
        String generated = part.text().substring(PROMPT.length());
        assertThat(part.text()).startsWith(PROMPT);
        assertThat(part.logprobs()).extracting(ChunkLogprobs.Entry::token).containsExactlyElementsOf(characters(generated));
        for (int i = 0; i < part.logprobs().size(); i++) {
            ChunkLogprobs.Entry entry = part.logprobs().get(i);
            assertThat(entry.offset()).as("offsets count the echoed prompt").isEqualTo(PROMPT.length() + i);
            assertThat(entry.alternatives()).hasSize(2);
            assertThat(entry.logprob()).isLessThanOrEqualTo(0f);
        }
    }

    private static List<String> characters(String text) {
        return text.chars().mapToObj(c -> String.valueOf((char) c)).toList();
    }

    @Test
    void aStreamSendsWhatTheWholeAnswerHoldsChunkByChunk() {
        ChoicePart free = run(job(0f, null, 16)).choices().get(0);
        String stop = free.text().substring(8, 11);
        ChoicePart whole = run(job(0f, null, 16).stop(List.of(stop)).logprobs(1)).choices().get(0);

        GenerationSpec spec = job(0f, null, 16).stop(List.of(stop)).logprobs(1).build().spec(GenerationSpec.text(PROMPT));
        Generation generation = pipeline.service().run(pipeline.service().validate(spec), ClientConnection.UNKNOWN);
        var stream = new OpenAiRunner.ChoiceStream(new PartsWire(""), new Envelope("test-1", 0, "m"), 0, 0, List.of(stop), 1);
        List<ChoicePart> chunks = new ArrayList<>();
        List<Generation.GeneratedToken> tokens = generation.tokens();
        for (int i = 0; i < tokens.size() - 1; i++) {
            if (stream.token(i, tokens.get(i)) instanceof ChoicePart chunk) {
                chunks.add(chunk);
            }
        }
        stream.finish(tokens.size() - 1, tokens.get(tokens.size() - 1), generation).forEach(last -> chunks.add((ChoicePart) last));

        assertThat(String.join("", chunks.stream().map(ChoicePart::text).toList())).isEqualTo(whole.text());
        assertThat(chunks.subList(0, chunks.size() - 1)).extracting(ChoicePart::finishReason).containsOnlyNulls();
        assertThat(chunks.get(chunks.size() - 1).finishReason()).isEqualTo("stop");
        List<ChunkLogprobs.Entry> streamed = new ArrayList<>();
        for (ChoicePart chunk : chunks) {
            assertThat(chunk.logprobs()).as("a chunk's logprobs are its own characters'").hasSize(chunk.text().length());
            streamed.addAll(chunk.logprobs());
        }
        assertThat(streamed).isEqualTo(whole.logprobs());
    }

    @Test
    void choicesBeyondTheConfiguredBoundsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> run(job(1f, 1L, 2).n(7))).isInstanceOf(InvalidRequestException.class)
                .hasMessage("n must be at most 6; given: 7");
        assertThatThrownBy(() -> run(job(1f, 1L, 2).n(3).bestOf(2))).hasMessageContaining("best_of must be at least n");
        assertThatThrownBy(() -> run(job(1f, 1L, 2).bestOf(7))).hasMessage("best_of must be at most 6; given: 7");
        assertThatThrownBy(() -> run(job(0f, 1L, 2).bestOf(2))).hasMessageContaining("needs sampling");
        assertThatThrownBy(() -> run(job(1f, 1L, 2).bestOf(2).stream(true))).hasMessageContaining("cannot stream");
        OpenAiJob.Builder prompts = OpenAiJob.builder(List.of(GenerationSpec.text("a"), GenerationSpec.text("b"), GenerationSpec.text("c")),
                GenerationSpec.Fields.OPENAI_COMPLETIONS).maxTokens(2).n(6);
        assertThatThrownBy(() -> run(prompts)).hasMessage("prompt must have 1 to 2 entries for n = 6")
                .extracting(e -> ((InvalidRequestException) e).param()).isEqualTo("prompt");
    }
}

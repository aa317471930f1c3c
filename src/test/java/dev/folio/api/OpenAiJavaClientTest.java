package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.RequestOptions;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnprocessableEntityException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.ResponseFormatText;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's official Java SDK (on OkHttp) against the server, with the SDK's own response validation on: every response
 * must have the shape, field for field, the SDK requires of OpenAI.
 */
class OpenAiJavaClientTest extends BundledModelServerTest {

    private static final long BUDGET = 30;

    private OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .maxRetries(0)
                .timeout(Duration.ofMinutes(2))
                .responseValidation(true)
                .build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    private static ChatCompletionCreateParams.Builder scene() {
        return ChatCompletionCreateParams.builder()
                .model("anything")
                .addSystemMessage(SCENE)
                .addUserMessage(GREETING)
                .maxCompletionTokens(BUDGET);
    }

    private static String content(ChatCompletion.Choice choice) {
        return choice.message().content().orElseThrow();
    }

    @Test
    void twoSeededChoicesAreTwoRepliesAndReproducible() {
        ChatCompletionCreateParams params = scene().n(2).seed(42).temperature(0.9).build();

        ChatCompletion completion = client.chat().completions().create(params);

        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.model()).startsWith(BUNDLED + ":v");
        assertThat(completion.choices()).hasSize(2);
        assertThat(completion.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
        for (ChatCompletion.Choice choice : completion.choices()) {
            assertThat(content(choice)).isNotBlank().hasSizeLessThanOrEqualTo((int) BUDGET).doesNotContain("\n\n");
            assertThat(choice.finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
            assertThat(choice.message()._role().asString()).contains("assistant");
        }
        assertThat(content(completion.choices().get(0))).as("choice i samples with seed + i").isNotEqualTo(content(completion.choices().get(1)));
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).as("both choices' tokens").isBetween(2L, 2 * BUDGET);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());

        ChatCompletion again = client.chat().completions().create(params);
        assertThat(again.choices()).extracting(OpenAiJavaClientTest::content)
                .containsExactlyElementsOf(completion.choices().stream().map(OpenAiJavaClientTest::content).toList());
    }

    @Test
    void greedyChoicesAreAllTheSame() {
        ChatCompletion completion = client.chat().completions().create(scene().n(2).seed(42).temperature(0.0).build());

        assertThat(completion.choices()).hasSize(2);
        assertThat(content(completion.choices().get(0))).isNotBlank().isEqualTo(content(completion.choices().get(1)));
    }

    @Test
    void aStreamedGreedyReplyIsTheBlockingOne() {
        long budget = 60; // room for the greedy speech to end (stop) before max_tokens
        ChatCompletion blocking = client.chat().completions().create(scene().temperature(0.0).maxCompletionTokens(budget).build());
        String expected = content(blocking.choices().get(0));
        ChatCompletion.Choice.FinishReason finish = blocking.choices().get(0).finishReason();
        assertThat(expected.length() == budget).as("finish %s for %d of %d characters", finish, expected.length(), budget)
                .isEqualTo(finish.equals(ChatCompletion.Choice.FinishReason.LENGTH));

        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(scene().temperature(0.0)
                .maxCompletionTokens(budget)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = stream.stream().toList(); // ends at data: [DONE]
        }

        assertThat(chunks).isNotEmpty().allSatisfy(chunk -> {
            assertThat(chunk.id()).isEqualTo(chunks.get(0).id());
            assertThat(chunk.model()).startsWith(BUNDLED + ":v");
        });
        String streamed = chunks.stream().flatMap(chunk -> chunk.choices().stream())
                .map(choice -> choice.delta().content().orElse(""))
                .collect(Collectors.joining());
        assertThat(expected).isNotBlank().doesNotContain("\n\n");
        assertThat(streamed).isEqualTo(expected);
        assertThat(chunks.stream().flatMap(chunk -> chunk.choices().stream()).flatMap(choice -> choice.finishReason().stream()).toList())
                .as("one finish reason, the blocking reply's")
                .containsExactly(ChatCompletionChunk.Choice.FinishReason.of(blocking.choices().get(0).finishReason().asString()));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).as("include_usage: a last chunk with the usage and no choices").isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(blocking.usage().orElseThrow().completionTokens());
        assertThat(last.usage().orElseThrow().promptTokens()).isEqualTo(blocking.usage().orElseThrow().promptTokens());
    }

    @Test
    void twoStreamedSeededChoicesAreTheBlockingOnes() {
        ChatCompletionCreateParams params = scene().n(2).seed(9).temperature(0.9).build();
        List<String> blocking = client.chat().completions().create(params).choices().stream().map(OpenAiJavaClientTest::content).toList();

        Map<Long, StringBuilder> streamed = new TreeMap<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().flatMap(chunk -> chunk.choices().stream()).forEach(choice ->
                    streamed.computeIfAbsent(choice.index(), index -> new StringBuilder()).append(choice.delta().content().orElse("")));
        }

        assertThat(streamed.keySet()).containsExactly(0L, 1L);
        assertThat(streamed.values().stream().map(StringBuilder::toString).toList()).containsExactlyElementsOf(blocking);
    }

    @Test
    @SuppressWarnings("deprecation") // user: OpenAI's SDK prefers safety_identifier now, but apps still send it
    void neutralValuesOfWhatTheModelCannotDoChangeNothing() {
        String bare = content(client.chat().completions().create(scene().temperature(0.0).build()).choices().get(0));

        ChatCompletion dressed = client.chat().completions().create(scene().temperature(0.0)
                .topP(1.0)
                .presencePenalty(0.0)
                .frequencyPenalty(0.0)
                .parallelToolCalls(false)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE)
                .responseFormat(ResponseFormatText.builder().build())
                .store(false)
                .user("someone")
                .safetyIdentifier("someone")
                .logprobs(false)
                .stop("ZZZZ")
                .build());

        assertThat(content(dressed.choices().get(0))).isNotBlank().isEqualTo(bare);
    }

    @Test
    void textPartsReadAsTheirText() {
        String asString = content(client.chat().completions().create(scene().temperature(0.0).build()).choices().get(0));

        ChatCompletion asParts = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("anything")
                .addSystemMessage(SCENE)
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Good morrow, fair maid. ").build()),
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What news?").build())))
                .maxCompletionTokens(BUDGET)
                .temperature(0.0)
                .build());

        assertThat(content(asParts.choices().get(0))).isNotBlank().isEqualTo(asString);
    }

    @Test
    void logprobsComeOnePerCharacter() {
        ChatCompletion completion = client.chat().completions().create(scene().temperature(0.0).logprobs(true).topLogprobs(2).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        List<ChatCompletionTokenLogprob> logprobs = choice.logprobs().orElseThrow().content().orElseThrow();
        assertThat(logprobs.stream().map(ChatCompletionTokenLogprob::token).collect(Collectors.joining())).isEqualTo(content(choice));
        assertThat(logprobs).allSatisfy(token -> {
            assertThat(token.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(token.topLogprobs()).hasSize(2);
            // greedy: the chosen character is the likeliest one
            assertThat(token.topLogprobs().get(0).token()).isEqualTo(token.token());
        });
    }

    @Test
    void aCharacterOutsideTheVocabularyIsA422NamingTheMessage() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("anything")
                .addSystemMessage(SCENE)
                .addUserMessage("Lend me 7 ducats.")
                .maxCompletionTokens(BUDGET)
                .build();

        assertThatThrownBy(() -> client.chat().completions().create(params))
                .isInstanceOfSatisfying(UnprocessableEntityException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(422);
                    assertThat(e.getMessage()).startsWith("422: ").contains("messages[1].content").contains("'7'");
                    assertThat(e.param()).contains("messages[1].content");
                    assertThat(e.type()).contains("invalid_request_error");
                });
        // refused before the stream starts: the same 422, not an event in a 200 stream
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
                stream.stream().count();
            }
        }).isInstanceOfSatisfying(UnprocessableEntityException.class, e -> assertThat(e.param()).contains("messages[1].content"));
    }

    @Test
    void completionsAnswerForTheInstructModelName() {
        CompletionCreateParams params = CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.GPT_3_5_TURBO_INSTRUCT)
                .prompt("ROMEO:")
                .maxTokens(20)
                .temperature(0.0)
                .build();

        Completion completion = client.completions().create(params);

        assertThat(completion.id()).startsWith("cmpl-");
        assertThat(completion.model()).startsWith(BUNDLED + ":v");
        assertThat(completion.choices()).hasSize(1);
        CompletionChoice choice = completion.choices().get(0);
        assertThat(choice.text()).as("no stop sequence: the whole budget").hasSize(20);
        assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo("ROMEO:".length());
        assertThat(usage.completionTokens()).isEqualTo(20);

        String streamed;
        List<Completion> chunks;
        // The SDK's validation requires every legacy completion chunk to carry a finish_reason, which no stream does (OpenAI's
        // own sends null until the last chunk, as this server does): streamed completions are read without it.
        RequestOptions unvalidated = RequestOptions.builder().responseValidation(false).build();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params, unvalidated)) {
            chunks = stream.stream().toList();
        }
        streamed = chunks.stream().flatMap(chunk -> chunk.choices().stream()).map(CompletionChoice::text).collect(Collectors.joining());
        assertThat(streamed).isEqualTo(choice.text());
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.id()).isEqualTo(chunks.get(0).id());
            assertThat(chunk.model()).startsWith(BUNDLED + ":v");
            assertThat(chunk.choices()).hasSize(1);
        });
        assertThat(chunks.subList(0, chunks.size() - 1)).as("finish_reason null until the last chunk")
                .allSatisfy(chunk -> assertThat(chunk.choices().get(0)._finishReason().isNull()).isTrue());
        assertThat(chunks.get(chunks.size() - 1).choices().get(0).finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
    }

    @Test
    void seededCompletionsAreReproducible() {
        CompletionCreateParams params = CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.GPT_3_5_TURBO_INSTRUCT)
                .prompt("JULIET:\n")
                .maxTokens(25)
                .temperature(0.8)
                .seed(3)
                .build();

        String first = client.completions().create(params).choices().get(0).text();
        String second = client.completions().create(params).choices().get(0).text();

        assertThat(first).hasSize(25).isEqualTo(second);
    }
}

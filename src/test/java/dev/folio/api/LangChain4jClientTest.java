package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiLanguageModelName;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI chat and language models (on the JDK's HttpClient), against the server. */
class LangChain4jClientTest extends BundledModelServerTest {

    private static final int BUDGET = 30;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private static List<ChatMessage> scene() {
        return List.of(SystemMessage.from(SCENE), UserMessage.from(GREETING));
    }

    private OpenAiChatModel chatModel(double temperature, int seed) {
        return chatModel(temperature, seed, BUDGET);
    }

    private OpenAiChatModel chatModel(double temperature, int seed, int maxTokens) {
        return OpenAiChatModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .modelName("anything")
                .temperature(temperature)
                .seed(seed)
                .maxTokens(maxTokens)
                .maxRetries(0)
                .timeout(TIMEOUT)
                .build();
    }

    private OpenAiStreamingChatModel streamingChatModel(double temperature, int seed, int maxTokens) {
        return OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .modelName("anything")
                .temperature(temperature)
                .seed(seed)
                .maxTokens(maxTokens)
                .timeout(TIMEOUT)
                .build();
    }

    @Test
    void aBlockingChatAnswersWithinTheBudget() {
        ChatResponse response = chatModel(0.8, 7).chat(scene());

        String text = response.aiMessage().text();
        assertThat(text).isNotBlank().hasSizeLessThanOrEqualTo(BUDGET).as("one speech, its end not included").doesNotContain("\n\n");
        assertThat(response.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        TokenUsage usage = response.tokenUsage();
        assertThat(usage.inputTokenCount()).isPositive();
        assertThat(usage.outputTokenCount()).isPositive().isLessThanOrEqualTo(BUDGET).isGreaterThanOrEqualTo(text.length());
        assertThat(usage.totalTokenCount()).isEqualTo(usage.inputTokenCount() + usage.outputTokenCount());
        if (response.finishReason() == FinishReason.LENGTH) {
            assertThat(text).as("a reply cut at max_tokens: one character per token").hasSize(BUDGET);
        }
        assertThat(response.modelName()).startsWith(BUNDLED + ":v");
        assertThat(response.id()).startsWith("chatcmpl-");
    }

    @Test
    void theSameSeedAndTemperatureGiveTheSameReply() {
        String first = chatModel(0.9, 42).chat(scene()).aiMessage().text();
        String second = chatModel(0.9, 42).chat(scene()).aiMessage().text();
        assertThat(first).isNotBlank().isEqualTo(second);
    }

    @Test
    void aStreamedGreedyReplyIsTheBlockingOne() throws Exception {
        int budget = 60; // room for the greedy speech to end (stop) before max_tokens
        ChatResponse blocking = chatModel(0.0, 1, budget).chat(scene());
        assertThat(blocking.aiMessage().text().length() == budget)
                .as("finish %s for %d of %d characters", blocking.finishReason(), blocking.aiMessage().text().length(), budget)
                .isEqualTo(blocking.finishReason() == FinishReason.LENGTH);

        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streamingChatModel(0.0, 1, budget).chat(scene(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                partials.append(partialResponse);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(blocking.aiMessage().text()).isNotBlank();
        assertThat(partials.toString()).isEqualTo(blocking.aiMessage().text());
        assertThat(streamed.aiMessage().text()).isEqualTo(blocking.aiMessage().text());
        assertThat(streamed.finishReason()).isEqualTo(blocking.finishReason());
        // LangChain4j always asks for stream_options.include_usage
        assertThat(streamed.tokenUsage()).isNotNull();
        assertThat(streamed.tokenUsage().inputTokenCount()).isEqualTo(blocking.tokenUsage().inputTokenCount());
        assertThat(streamed.tokenUsage().outputTokenCount()).isEqualTo(blocking.tokenUsage().outputTokenCount());
        assertThat(streamed.modelName()).startsWith(BUNDLED + ":v");
    }

    @Test
    void aConversationOfNamedSpeakersIsAnswered() {
        ChatResponse response = chatModel(0.0, 1).chat(List.of(
                SystemMessage.from(SCENE),
                UserMessage.from("ROMEO", "Good morrow, fair maid."),
                AiMessage.from("Good morrow, sir. What would you have?"),
                UserMessage.from("ROMEO", "But a word, if you will hear me.")));

        assertThat(response.aiMessage().text()).isNotBlank().hasSizeLessThanOrEqualTo(BUDGET);
        assertThat(response.tokenUsage().inputTokenCount()).as("the whole conversation is the prompt")
                .isGreaterThan(chatModel(0.0, 1).chat(scene()).tokenUsage().inputTokenCount());
    }

    @Test
    void aStopSequenceEndsTheReplyBeforeIt() {
        String free = chatModel(0.0, 1, 60).chat(scene()).aiMessage().text();
        assertThat(free).hasSizeGreaterThan(12);
        String stop = free.substring(8, 11);

        ChatResponse stopped = OpenAiChatModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .modelName("anything")
                .temperature(0.0)
                .maxTokens(60)
                .stop(List.of(stop, "ZZZZ")) // LangChain4j sends stop as an array
                .maxRetries(0)
                .timeout(TIMEOUT)
                .build()
                .chat(scene());

        assertThat(stopped.aiMessage().text()).isEqualTo(free.substring(0, free.indexOf(stop)));
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void aRefusedMessageSurfacesAsAnInvalidRequest() throws Exception {
        List<ChatMessage> refused = List.of(UserMessage.from("Lend me 7 ducats."));
        OpenAiChatModel model = chatModel(0.0, 1);
        assertThatThrownBy(() -> model.chat(refused))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("messages[0].content")
                .hasMessageContaining("'7'");

        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streamingChatModel(0.0, 1, BUDGET).chat(refused, new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        assertThatThrownBy(() -> done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("messages[0].content")
                .hasMessageContaining("'7'");
    }

    @Test
    void theLanguageModelWorksWithItsDefaultModelName() {
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .maxRetries(0)
                .timeout(TIMEOUT)
                .build(); // no modelName: LangChain4j 1.19 then sends no "model" at all

        Response<String> response = model.generate("ROMEO:");

        assertThat(response.content()).isNotEmpty();
        assertThat(response.finishReason()).as("no max_tokens sent: the server's default of 16").isEqualTo(FinishReason.LENGTH);
        assertThat(response.content()).hasSize(16);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo("ROMEO:".length());
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(16);
    }

    @Test
    void theLanguageModelStreamsWhatItAnswersForTheInstructModelName() throws Exception {
        String blocking = OpenAiLanguageModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .modelName(OpenAiLanguageModelName.GPT_3_5_TURBO_INSTRUCT)
                .temperature(0.0)
                .maxRetries(0)
                .timeout(TIMEOUT)
                .build()
                .generate("ROMEO:")
                .content();

        StringBuilder tokens = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        OpenAiStreamingLanguageModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .modelName(OpenAiLanguageModelName.GPT_3_5_TURBO_INSTRUCT)
                .temperature(0.0)
                .timeout(TIMEOUT)
                .build()
                .generate("ROMEO:", new StreamingResponseHandler<String>() {
                    @Override
                    public void onNext(String token) {
                        tokens.append(token);
                    }

                    @Override
                    public void onComplete(Response<String> response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        Response<String> streamed = done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(blocking).hasSize(16);
        assertThat(tokens.toString()).isEqualTo(blocking);
        assertThat(streamed.content()).isEqualTo(blocking);
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.LENGTH);
        // LangChain4j asks /v1/completions for stream_options.include_usage too: the usage chunk before [DONE] answers it
        assertThat(streamed.tokenUsage()).isNotNull();
        assertThat(streamed.tokenUsage().inputTokenCount()).isEqualTo("ROMEO:".length());
        assertThat(streamed.tokenUsage().outputTokenCount()).isEqualTo(16);
    }
}

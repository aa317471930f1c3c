package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.errors.UnprocessableEntityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * Spring AI's {@link OpenAiChatModel} (2.0: over OpenAI's Java SDK, on OkHttp), built by hand against the server: no
 * Spring AI auto-configuration, no Spring AI bean in the server's context.
 */
class SpringAiClientTest extends BundledModelServerTest {

    private static final int BUDGET = 30;

    @Autowired
    ApplicationContext context;

    private OpenAiChatModel model() {
        return OpenAiChatModel.builder()
                .options(OpenAiChatOptions.builder()
                        .baseUrl(baseUrl()) // Spring AI 2.0 hands it to the SDK as is: OpenAI's convention, with /v1
                        .apiKey("unused")
                        .model("anything")
                        .maxRetries(0)
                        .timeout(Duration.ofMinutes(2))
                        .build())
                .build();
    }

    /** The request's options: Spring AI sends a prompt's options as they are (not merged with the model's). */
    private static Prompt scene(Double temperature, Integer seed) {
        return scene(temperature, seed, BUDGET);
    }

    private static Prompt scene(Double temperature, Integer seed, int maxTokens) {
        List<Message> messages = List.of(new SystemMessage(SCENE), new UserMessage(GREETING));
        return new Prompt(messages, OpenAiChatOptions.builder()
                .model("anything")
                .maxTokens(maxTokens)
                .temperature(temperature)
                .seed(seed)
                .build());
    }

    @Test
    void theServerContextHasNoSpringAiBeans() {
        connects = false;
        assertThat(Arrays.stream(context.getBeanDefinitionNames()).map(context::getType).filter(Objects::nonNull).map(Class::getName))
                .as("the server's beans").isNotEmpty()
                .noneMatch(type -> type.startsWith("org.springframework.ai."));
    }

    @Test
    void aBlockingCallAnswersWithinTheBudget() {
        ChatResponse response = model().call(scene(0.8, 7));

        assertThat(response.getResults()).hasSize(1);
        Generation reply = response.getResult();
        String text = reply.getOutput().getText();
        assertThat(text).isNotBlank().hasSizeLessThanOrEqualTo(BUDGET).as("one speech, its end not included").doesNotContain("\n\n");
        String finish = reply.getMetadata().getFinishReason();
        assertThat(finish).as("Spring AI's finish reason: the SDK enum's name").isIn("STOP", "LENGTH");
        Usage usage = response.getMetadata().getUsage();
        assertThat(usage.getPromptTokens()).isPositive();
        assertThat(usage.getCompletionTokens()).isPositive().isLessThanOrEqualTo(BUDGET).isGreaterThanOrEqualTo(text.length());
        assertThat(usage.getTotalTokens()).isEqualTo(usage.getPromptTokens() + usage.getCompletionTokens());
        if (finish.equals("LENGTH")) {
            assertThat(text).as("a reply cut at max_tokens: one character per token").hasSize(BUDGET);
            assertThat(usage.getCompletionTokens()).isEqualTo(BUDGET);
        }
        assertThat(response.getMetadata().getModel()).startsWith(BUNDLED + ":v");
        assertThat(response.getMetadata().getId()).startsWith("chatcmpl-");
    }

    @Test
    void theSameSeedAndTemperatureGiveTheSameReply() {
        OpenAiChatModel model = model();
        String first = model.call(scene(0.9, 42)).getResult().getOutput().getText();
        String second = model.call(scene(0.9, 42)).getResult().getOutput().getText();
        assertThat(first).isNotBlank().isEqualTo(second);
    }

    @Test
    void aStreamedGreedyReplyIsTheBlockingOne() {
        int budget = 60; // room for the greedy speech to end (stop) before max_tokens
        OpenAiChatModel model = model();
        ChatResponse blocking = model.call(scene(0.0, 1, budget));
        String expected = blocking.getResult().getOutput().getText();
        String finish = blocking.getResult().getMetadata().getFinishReason();

        List<ChatResponse> chunks = model.stream(scene(0.0, 1, budget)).collectList().block(Duration.ofMinutes(2));

        assertThat(chunks).isNotEmpty();
        String streamed = chunks.stream()
                .map(ChatResponse::getResult)
                .filter(Objects::nonNull)
                .map(generation -> generation.getOutput().getText())
                .filter(Objects::nonNull)
                .collect(Collectors.joining());
        assertThat(expected).isNotBlank().doesNotContain("\n\n");
        assertThat(streamed).isEqualTo(expected);
        assertThat(finish).isIn("STOP", "LENGTH");
        assertThat(expected.length() == budget).as("finish %s for %d of %d characters", finish, expected.length(), budget)
                .isEqualTo(finish.equals("LENGTH"));
        assertThat(chunks.stream().map(ChatResponse::getResult).filter(Objects::nonNull)
                .map(generation -> generation.getMetadata().getFinishReason()).filter(reason -> reason != null && !reason.isEmpty()))
                .as("the finish reason the stream ends with")
                .containsExactly(finish);
        // Spring AI asks for stream_options.include_usage by default: the usage chunk comes before [DONE]
        Usage usage = chunks.get(chunks.size() - 1).getMetadata().getUsage();
        Usage expectedUsage = blocking.getMetadata().getUsage();
        assertThat(usage.getPromptTokens()).isEqualTo(expectedUsage.getPromptTokens());
        assertThat(usage.getCompletionTokens()).isEqualTo(expectedUsage.getCompletionTokens());
        assertThat(chunks.get(0).getMetadata().getModel()).startsWith(BUNDLED + ":v");
    }

    @Test
    void aStreamedSeededReplyIsTheBlockingOne() {
        OpenAiChatModel model = model();
        String expected = model.call(scene(0.9, 5)).getResult().getOutput().getText();

        // streamUsage(true) sends stream_options {include_obfuscation: false, include_usage: true}
        Prompt streaming = new Prompt(scene(0.9, 5).getInstructions(),
                ((OpenAiChatOptions) scene(0.9, 5).getOptions()).mutate().streamUsage(true).build());
        List<ChatResponse> chunks = model.stream(streaming).collectList().block(Duration.ofMinutes(2));

        String streamed = chunks.stream()
                .map(ChatResponse::getResult)
                .filter(Objects::nonNull)
                .map(generation -> generation.getOutput().getText())
                .filter(Objects::nonNull)
                .collect(Collectors.joining());
        assertThat(streamed).isNotBlank().isEqualTo(expected);
        assertThat(chunks.get(chunks.size() - 1).getMetadata().getUsage().getCompletionTokens()).isPositive();
    }

    @Test
    void aRefusedMessageSurfacesAsTheSdks422() {
        OpenAiChatModel model = model();
        Prompt refused = new Prompt(List.of(new SystemMessage(SCENE), new UserMessage("Lend me 7 ducats.")),
                OpenAiChatOptions.builder().model("anything").maxTokens(BUDGET).build());

        assertThatThrownBy(() -> model.call(refused))
                .isInstanceOfSatisfying(UnprocessableEntityException.class, e -> {
                    assertThat(e.getMessage()).contains("messages[1].content").contains("'7'");
                    assertThat(e.param()).contains("messages[1].content");
                });
        assertThatThrownBy(() -> model.stream(refused).collectList().block(Duration.ofMinutes(2)))
                .hasRootCauseInstanceOf(UnprocessableEntityException.class)
                .rootCause().hasMessageContaining("messages[1].content").hasMessageContaining("'7'");
    }
}

package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TGI's Messages API over a real HTTP server. The tiny test model carries its own chat template (TestModels.CHAT: speeches as
 * "romeo.\n...\n\n", since its vocabulary has no capitals or colon), so these tests also show a custom template at work.
 */
class ChatApiTest extends TinyModelServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SCENE = "[{\"role\":\"system\",\"content\":\"a garden.\"},{\"role\":\"user\",\"content\":\"good morrow\"}]";

    private JsonNode chat(String body) throws Exception {
        HttpResponse<String> response = api().post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return api().json(response.body());
    }

    private String templated(String messages) throws Exception {
        return api().json(api().post("/chat_tokenize", "{\"messages\":" + messages + "}").body()).get("templated_text").asString();
    }

    @Test
    void aReplyInTheMessagesApisShape() throws Exception {
        HttpResponse<String> response = api().post("/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"messages\":" + SCENE + ",\"max_tokens\":12,\"seed\":3}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = api().json(response.body());
        assertThat(body.get("id").asString()).startsWith("chatcmpl-");
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isPositive();
        assertThat(body.get("model").asString()).as("any name; the answer says what served it").matches("tiny-char:v\\d{8}-\\d{6}");
        assertThat(response.headers().firstValue("X-Folio-Model-Version")).contains(body.get("model").asString().substring(10));
        assertThat(body.get("system_fingerprint").asString()).contains(body.get("model").asString());
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
        String reply = choice.get("message").get("content").asString();
        assertThat(choice.get("finish_reason").asString()).isIn("stop", "length");
        if (choice.get("finish_reason").asString().equals("length")) {
            assertThat(reply).hasSize(12);
        }
        int block = api().json(api().get("/info").body()).get("block_size").asInt();
        int prompt = templated(SCENE).length();
        assertThat(body.get("usage").get("prompt_tokens").asInt()).as("what the model saw of the prompt").isEqualTo(Math.min(prompt, block));
        assertThat(body.get("usage").get("completion_tokens").asInt()).isGreaterThanOrEqualTo(reply.length());
        assertThat(body.get("usage").get("total_tokens").asInt())
                .isEqualTo(body.get("usage").get("prompt_tokens").asInt() + body.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void theTemplateLaysTheConversationOutAsSpeeches() throws Exception {
        assertThat(templated(SCENE)).isEqualTo("a garden.\n\nromeo.\ngood morrow\n\njuliet.\n");
        String named = "[{\"role\":\"user\",\"name\":\"mercutio\",\"content\":\"[text parts]\"},{\"role\":\"assistant\",\"content\":\"nay\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"peace, \"},{\"type\":\"text\",\"text\":\"peace\"}]}]";
        assertThat(templated(named.replace("\"[text parts]\"", "\"a plague\"")))
                .isEqualTo("mercutio.\na plague\n\njuliet.\nnay\n\nromeo.\npeace, peace\n\njuliet.\n");
        JsonNode tokens = api().json(api().post("/chat_tokenize", "{\"messages\":" + SCENE + "}").body()).get("tokenize_response");
        assertThat(tokens).hasSize(templated(SCENE).length());
        assertThat(tokens.get(2).get("text").asString()).isEqualTo("g");
        assertThat(tokens.get(2).get("start").asInt()).isEqualTo(2);
        JsonNode info = api().json(api().get("/info").body());
        assertThat(info.get("chat_template").asString()).contains("messages").contains("speakers");
        assertThat(info.get("chat_stop").get(0).asString()).isEqualTo("\n\n");
        assertThat(info.get("chat_speakers").get("assistant").asString()).isEqualTo("JULIET");
    }

    @Test
    void typographicCharactersAreNormalisedBeforeTheVocabularyIsChecked() throws Exception {
        String messages = "[{\"role\":\"user\",\"content\":\"caf\u00e9\u2026 ok\u00a0then\"}]";
        assertThat(templated(messages)).isEqualTo("romeo.\ncafe... ok then\n\njuliet.\n");
    }

    @Test
    void theReplyEndsAtTheEndOfTheSpeech() throws Exception {
        String prompt = templated(SCENE);
        // find a seed whose free continuation (TGI's /generate, same sampler) ends the speech with a blank line
        for (int seed = 0; seed < 60; seed++) {
            String free = api().json(api().post("/generate", "{\"inputs\":" + JSON.writeValueAsString(prompt)
                    + ",\"parameters\":{\"do_sample\":true,\"seed\":" + seed + ",\"max_new_tokens\":600}}").body())
                    .get("generated_text").asString();
            int end = free.indexOf("\n\n");
            if (end < 0) {
                continue;
            }
            JsonNode choice = chat("{\"messages\":" + SCENE + ",\"seed\":" + seed + ",\"max_tokens\":600}").get("choices").get(0);
            assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
            assertThat(choice.get("message").get("content").asString()).isEqualTo(free.substring(0, end));
            return;
        }
        throw new AssertionError("no seed in 60 ended a speech within 600 characters");
    }

    @Test
    void seededRepliesRepeatAndNChoicesDecodeTogether() throws Exception {
        String body = "{\"messages\":" + SCENE + ",\"max_tokens\":20,\"seed\":5,\"temperature\":0.9,\"n\":3}";
        JsonNode a = chat(body);
        JsonNode b = chat(body);
        assertThat(a.get("choices")).hasSize(3);
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(a.get("choices").get(i).get("index").asInt()).isEqualTo(i);
            assertThat(a.get("choices").get(i).get("message")).isEqualTo(b.get("choices").get(i).get("message"));
            replies.add(a.get("choices").get(i).get("message").get("content").asString());
        }
        assertThat(replies).as("choice i samples with seed + i").doesNotHaveDuplicates();
        JsonNode alone = chat("{\"messages\":" + SCENE + ",\"max_tokens\":20,\"seed\":7,\"temperature\":0.9}");
        assertThat(alone.get("choices").get(0).get("message").get("content").asString()).isEqualTo(replies.get(2));
        assertThat(a.get("usage").get("completion_tokens").asInt()).isGreaterThanOrEqualTo(replies.stream().mapToInt(String::length).sum());
        JsonNode greedy = chat("{\"messages\":" + SCENE + ",\"max_tokens\":20,\"temperature\":0,\"n\":2}");
        assertThat(greedy.get("choices").get(0).get("message")).isEqualTo(greedy.get("choices").get(1).get("message"));
    }

    @Test
    void logprobsCoverExactlyTheReply() throws Exception {
        JsonNode choice = chat("{\"messages\":" + SCENE + ",\"max_tokens\":15,\"seed\":2,\"logprobs\":true,\"top_logprobs\":2}")
                .get("choices").get(0);
        String reply = choice.get("message").get("content").asString();
        JsonNode content = choice.get("logprobs").get("content");
        assertThat(content).hasSize(reply.length());
        StringBuilder joined = new StringBuilder();
        for (JsonNode token : content) {
            joined.append(token.get("token").asString());
            assertThat(token.get("logprob").asDouble()).isLessThanOrEqualTo(0);
            assertThat(token.get("top_logprobs")).hasSize(2);
            assertThat(token.get("top_logprobs").get(0).get("logprob").asDouble())
                    .isGreaterThanOrEqualTo(token.get("top_logprobs").get(1).get("logprob").asDouble());
        }
        assertThat(joined.toString()).isEqualTo(reply);
        assertThat(chat("{\"messages\":" + SCENE + ",\"max_tokens\":3}").get("choices").get(0).get("logprobs").isNull()).isTrue();
    }

    @Test
    void aStreamSendsTheRoleThenTheTextThenUsageThenDone() throws Exception {
        String request = "\"messages\":" + SCENE + ",\"max_tokens\":25,\"seed\":11,\"logprobs\":true";
        String whole = chat("{" + request + "}").get("choices").get(0).get("message").get("content").asString();
        HttpResponse<Stream<String>> response = api().stream("/v1/chat/completions",
                "{" + request + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        List<String> data = new ArrayList<>();
        ApiClient.dataEvents(response.body()).forEachRemaining(data::add);
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        JsonNode first = api().json(data.get(0));
        assertThat(first.get("object").asString()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("id").asString()).startsWith("chatcmpl-");
        assertThat(first.get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        assertThat(first.get("choices").get(0).get("delta").get("content").asString()).isEmpty();
        JsonNode usage = api().json(data.get(data.size() - 2));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isPositive();
        StringBuilder text = new StringBuilder();
        int logprobs = 0;
        String finish = null;
        for (String event : data.subList(1, data.size() - 2)) {
            JsonNode choice = api().json(event).get("choices").get(0);
            String piece = choice.get("delta").get("content").asString();
            text.append(piece);
            logprobs += choice.get("logprobs").get("content").size();
            assertThat(finish).as("nothing after the finish reason").isNull();
            finish = choice.get("finish_reason").isNull() ? null : choice.get("finish_reason").asString();
        }
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(logprobs).as("each chunk carries the logprobs of what it sends").isEqualTo(whole.length());
        assertThat(finish).isIn("stop", "length");
    }

    static Stream<Arguments> badChats() {
        return Stream.of(
                Arguments.of("{\"messages\":[]}", "messages", "at least one message"),
                Arguments.of("{}", "messages", "messages: is required"),
                Arguments.of("{\"messages\":[{\"role\":\"narrator\",\"content\":\"hello\"}]}", "messages[0].role", "'narrator'"),
                Arguments.of("{\"messages\":[{\"content\":\"hello\"}]}", "messages[0].role", "role is required"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":\"Zebra\"}]}",
                        "messages[1].content", "'Z' (U+005A) at position 0"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"name\":\"Q\",\"content\":\"hi\"}]}", "messages[0].name", "'Q'"),
                Arguments.of("{\"messages\":[{\"role\":\"user\"}]}", "messages[0].content", "content is required"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}",
                        "messages[0].content[0]", "text only"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(17_000) + "\"}]}", "messages", "at most 16384"),
                Arguments.of("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "messages[0].role", "no tool use"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}",
                        "tools", "no tool use"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":\"required\"}", "tool_choice", "no tool use"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"presence_penalty\":2.5}", "presence_penalty",
                        "less than or equal to 2"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"frequency_penalty\":-3}", "frequency_penalty",
                        "greater than or equal to -2"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"999\":-100}}", "logit_bias",
                        "token id 999 is not in the vocabulary"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"a\":1}}", "logit_bias", "token ids"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"3\":-101}}", "logit_bias", "[-100, 100]"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":[1,2]}", "logit_bias", "an object"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_object\"}}",
                        "response_format", "'{' (U+007B)"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"xml\"}}",
                        "response_format.type", "text, json_object or json_schema"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0}", "max_tokens", "between 1 and 2048"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":3}", "top_logprobs", "needs logprobs"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop", "at most 4"),
                Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":5}", "temperature", "less than or equal to 2"));
    }

    @ParameterizedTest
    @MethodSource("badChats")
    void badRequestsAre422sThatNameTheField(String body, String param, String says) throws Exception {
        HttpResponse<String> response = api().post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode error = api().json(response.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asString()).isEqualTo(param);
        assertThat(error.get("message").asString()).contains(says).doesNotContain("Exception").doesNotContain("dev.folio");
        assertThat(api().post("/v1/chat/completions", "{\"messages\":" + SCENE + ",\"max_tokens\":2}").statusCode())
                .as("the server keeps serving").isEqualTo(200);
    }

    @Test
    void echoScoresThePromptAsLogitsDoes() throws Exception {
        String prompt = "the quick brown fox";
        JsonNode scored = api().json(api().post("/v1/completions",
                "{\"model\":\"davinci-002\",\"prompt\":\"" + prompt + "\",\"max_tokens\":0,\"echo\":true,\"logprobs\":3}").body());
        JsonNode choice = scored.get("choices").get(0);
        assertThat(choice.get("text").asString()).isEqualTo(prompt);
        JsonNode logprobs = choice.get("logprobs");
        assertThat(logprobs.get("tokens")).hasSize(prompt.length());
        assertThat(logprobs.get("token_logprobs").get(0).isNull()).as("nothing precedes the first token").isTrue();
        assertThat(logprobs.get("top_logprobs").get(0).isNull()).isTrue();
        assertThat(logprobs.get("top_logprobs").get(1).size()).isEqualTo(3);
        assertThat(scored.get("usage").get("completion_tokens").asInt()).isZero();
        assertThat(scored.get("usage").get("prompt_tokens").asInt()).isEqualTo(prompt.length());
        JsonNode positions = api().json(api().post("/logits", "{\"inputs\":\"" + prompt + "\",\"positions\":\"all\"}").body()).get("positions");
        for (int p = 1; p < prompt.length(); p++) {
            assertThat(logprobs.get("token_logprobs").get(p).asDouble()).as("position " + p)
                    .isCloseTo(positions.get(p - 1).get("next_token").get("logprob").asDouble(), within(1e-4));
            assertThat(logprobs.get("text_offset").get(p).asInt()).isEqualTo(p);
        }

        JsonNode generated = api().json(api().post("/v1/completions",
                "{\"prompt\":\"" + prompt + "\",\"max_tokens\":5,\"seed\":1,\"echo\":true,\"logprobs\":1}").body()).get("choices").get(0);
        JsonNode both = generated.get("logprobs");
        assertThat(both.get("tokens")).hasSize(prompt.length() + 5);
        assertThat(both.get("token_logprobs").get(3).asDouble()).isCloseTo(logprobs.get("token_logprobs").get(3).asDouble(), within(1e-4));
        assertThat(both.get("text_offset").get(prompt.length()).asInt()).isEqualTo(prompt.length());
        assertThat(generated.get("text").asString()).startsWith(prompt).hasSize(prompt.length() + 5);

        HttpResponse<String> noEcho = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":0}");
        assertThat(noEcho.statusCode()).isEqualTo(422);
        assertThat(api().json(noEcho.body()).get("error").get("message").asString()).contains("echo: true");
    }

}

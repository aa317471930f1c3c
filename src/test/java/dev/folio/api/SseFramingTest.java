package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every streaming route's bytes, framed as OpenAI's and TGI's documentation show them: each event one
 * {@code data: <payload>} line (one space after the colon) and a blank line, nothing else; OpenAI's streams end with
 * {@code data: [DONE]}, TGI's do not. huggingface_hub's client compares the last line with {@code "data: [DONE]"}
 * exactly, so a missing space breaks it after every chunk has parsed.
 */
class SseFramingTest extends TinyModelServerTest {

    private static final Pattern EVENT = Pattern.compile("data: [^\\s].*");
    private static final String SCENE = "[{\"role\":\"user\",\"content\":\"good morrow\"}]";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions | {\"messages\":" + SCENE + ",\"max_tokens\":6,\"seed\":1,\"stream\":true,\"stream_options\":{\"include_usage\":true}} | true",
        "/v1/completions | {\"prompt\":\"abc\",\"max_tokens\":6,\"seed\":1,\"n\":2,\"stream\":true} | true",
        "/generate_stream | {\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":6,\"details\":true}} | false",
        "/ | {\"inputs\":\"abc\",\"stream\":true,\"parameters\":{\"max_new_tokens\":6}} | false"})
    void eachEventIsOneDataLineWithASpaceThenABlankLine(String route, String body, boolean openAi) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + route))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        String raw = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(raw).as("events end with a blank line").endsWith("\n\n").doesNotContain("\r");
        List<String> events = Arrays.asList(raw.substring(0, raw.length() - 2).split("\n\n", -1));
        assertThat(events).as("one event per token at least").hasSizeGreaterThanOrEqualTo(6);
        assertThat(events).allSatisfy(event -> assertThat(event).as("one data line with one space").matches(EVENT));
        JsonMapper json = JsonMapper.builder().build();
        List<String> payloads = events.stream().map(event -> event.substring("data: ".length())).toList();
        if (openAi) {
            assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
            payloads.subList(0, payloads.size() - 1).forEach(json::readTree);
        } else {
            assertThat(raw).doesNotContain("[DONE]");
            payloads.forEach(json::readTree);
            assertThat(json.readTree(payloads.get(payloads.size() - 1)).get("generated_text").isString()).as("TGI's last event carries the text").isTrue();
        }
    }
}

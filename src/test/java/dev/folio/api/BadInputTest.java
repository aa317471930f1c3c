package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** A table of bad requests: each gets its status and a problem+json body naming the problem; the service keeps answering. */
class BadInputTest extends TinyModelServerTest {

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("/generate", "{\"inputs\":", 400, "could not read the request body as JSON"),
                Arguments.of("/generate", "[1,2]", 400, "could not read the request body as JSON"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":\"many\"}}", 400, "parameters.max_new_tokens"),
                Arguments.of("/generate", "{\"inputs\":\"\"}", 422, "inputs"),
                Arguments.of("/generate", "{\"parameters\":{}}", 422, "inputs: must not be null"),
                Arguments.of("/generate", "{\"inputs\":\"ab€c\"}", 422, "'€' (U+20AC) at position 2"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":0}}", 422, "parameters.max_new_tokens"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":100000}}", 422, "max_new_tokens must be between 1 and 2048"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"temperature\":0}}", 422, "parameters.temperature: must be greater than 0"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"top_p\":1.5}}", 422, "parameters.top_p"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"top_k\":0}}", 422, "parameters.top_k"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"seed\":-1}}", 422, "parameters.seed"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"repetition_penalty\":0}}", 422, "parameters.repetition_penalty"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}", 422, "parameters.stop"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"top_n_tokens\":11}}", 422, "top_n_tokens must be at most 10"),
                Arguments.of("/generate", "{\"inputs\":\"a\",\"parameters\":{\"best_of\":2}}", 422, "parameters.best_of"),
                Arguments.of("/generate", "{\"inputs\":\"" + "a".repeat(20_000) + "\"}", 422, "inputs must be at most 16384 characters; given: 20000"),
                Arguments.of("/generate_stream", "{\"inputs\":\"a!\"}", 422, "'!' (U+0021) at position 1"),
                Arguments.of("/tokenize", "{\"inputs\":\"A\"}", 422, "'A' (U+0041) at position 0"),
                Arguments.of("/detokenize", "{\"ids\":[1,999]}", 422, "ids[1] = 999 is outside the vocabulary"),
                Arguments.of("/logits", "{\"inputs\":\"ab\",\"positions\":\"some\"}", 422, "positions: must be \"last\" or \"all\""),
                Arguments.of("/logits", "{\"inputs\":\"ab\",\"top_n\":50}", 422, "top_n must be at most 10"),
                Arguments.of("/", "{\"inputs\":\"a\",\"stream\":\"yes\"}", 400, "stream"));
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @MethodSource("badRequests")
    void badInputGetsAClearProblemAndTheServiceKeepsServing(String path, String body, int status, String named) throws Exception {
        ApiClient api = new ApiClient(port);
        HttpResponse<String> response = api.post(path, body);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = api.json(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).contains(named);
        assertThat(problem.get("error").asString()).isEqualTo(problem.get("detail").asString());
        assertThat(problem.get("error_type").asString()).isEqualTo("validation");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(api.post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2}}").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherStatuses")
    void otherClientErrorsAreProblemsToo(String what, int status) throws Exception {
        ApiClient api = new ApiClient(port);
        HttpResponse<String> response = switch (what) {
            case "unknown route" -> api.get("/no-such-route");
            case "wrong media type" -> api.postRaw("/generate", "text/plain", "hello");
            case "body too large" -> api.post("/generate", "{\"inputs\":\"" + "a".repeat(300_000) + "\"}");
            case "chunked body too large" -> api.postChunked("/generate", "{\"inputs\":\"" + "a".repeat(300_000) + "\"}");
            default -> throw new IllegalArgumentException(what);
        };
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(api.json(response.body()).get("status").asInt()).isEqualTo(status);
        assertThat(api.json(response.body()).get("error_type").asString()).as("TGI's field, beside RFC 9457's").isEqualTo("validation");
    }

    @Test
    void aChunkedBodyWithinTheLimitIsServedAndOnePastItIsNamed() throws Exception {
        ApiClient api = new ApiClient(port);
        HttpResponse<String> served = api.postChunked("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2}}");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(api.json(served.body()).get("generated_text").asString()).hasSize(2);
        HttpResponse<String> refused = api.postChunked("/generate", "{\"inputs\":\"" + "a".repeat(300_000) + "\"}");
        assertThat(api.json(refused.body()).get("detail").asString()).contains("exceeds the limit of");
    }

    static Stream<Arguments> otherStatuses() {
        return Stream.of(Arguments.of("unknown route", 404), Arguments.of("wrong media type", 415), Arguments.of("body too large", 413),
                Arguments.of("chunked body too large", 413));
    }
}

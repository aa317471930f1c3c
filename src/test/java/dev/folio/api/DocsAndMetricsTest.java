package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAPI document lists every route; Prometheus shows Folio's metrics after traffic. */
class DocsAndMetricsTest extends TinyModelServerTest {

    @Test
    void openApiListsEveryRouteWithItsErrors() throws Exception {
        ApiClient api = new ApiClient(port);
        JsonNode doc = api.json(api.get("/v3/api-docs").body());
        JsonNode paths = doc.get("paths");
        for (String path : new String[] {"/generate", "/generate_stream", "/", "/tokenize", "/detokenize", "/logits", "/info", "/health",
                "/v1/completions", "/v1/models", "/v1/chat/completions", "/chat_tokenize"}) {
            assertThat(paths.has(path)).as(path).isTrue();
        }
        assertThat(paths.get("/generate").get("post").get("responses").has("422")).isTrue();
        assertThat(paths.get("/generate").get("post").get("responses").has("429")).isTrue();
        for (String path : new String[] {"/tokenize", "/logits", "/v1/completions", "/v1/chat/completions"}) {
            JsonNode responses = paths.get(path).get("post").get("responses");
            assertThat(responses.has("200") && responses.has("400") && responses.has("422") && responses.has("413")).as(path).isTrue();
        }
        assertThat(paths.get("/generate").get("post").get("requestBody").get("content").get("application/json").get("schema")).isNotNull();
        JsonNode chat = paths.get("/v1/chat/completions").get("post");
        assertThat(chat.get("requestBody").get("content").get("application/json").get("examples").get("a scene").get("value").toString())
                .contains("messages");
        assertThat(chat.get("responses").get("200").get("content").has("text/event-stream")).isTrue();
        JsonNode request = doc.get("components").get("schemas").get("ChatRequest").get("properties");
        assertThat(request.has("messages") && request.has("stream_options") && request.has("max_completion_tokens")).isTrue();
        assertThat(api.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
        assertThat(api.get("/docs").statusCode()).isEqualTo(302);
    }

    @Test
    void eachRoutesErrorsAreDocumentedInItsProtocolsShape() throws Exception {
        ApiClient api = new ApiClient(port);
        JsonNode paths = api.json(api.get("/v3/api-docs").body()).get("paths");
        JsonNode openAi = paths.get("/v1/chat/completions").get("post").get("responses").get("422").get("content");
        assertThat(openAi.get("application/json").get("schema").get("properties").get("error").get("properties").has("param")).isTrue();
        JsonNode tgi = paths.get("/chat_tokenize").get("post").get("responses").get("422").get("content");
        assertThat(tgi.get("application/problem+json").get("schema").get("properties").has("error_type")).isTrue();
        assertThat(paths.get("/generate").get("post").get("responses").get("400").get("description").asString()).contains("must be an integer");
        assertThat(paths.get("/v1/completions").get("post").get("responses").get("422").get("description").asString()).contains("did you mean");
    }

    @Test
    void prometheusShowsGenerationMetricsAfterTraffic() throws Exception {
        ApiClient api = new ApiClient(port);
        assertThat(api.post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":5}}").statusCode()).isEqualTo(200);
        String metrics = api.get("/actuator/prometheus").body();
        assertThat(metrics)
                .contains("folio_generated_tokens_total")
                .contains("folio_prompt_tokens_total")
                .contains("folio_generation_time_to_first_token_seconds_bucket")
                .contains("folio_generation_inter_token_latency_seconds_bucket")
                .contains("folio_generation_duration_seconds_bucket")
                .contains("folio_generations_in_flight")
                .contains("folio_generations_cancelled_total")
                .contains("http_server_requests_seconds_bucket");
        double generated = metrics.lines().filter(l -> l.startsWith("folio_generated_tokens_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(generated).isGreaterThanOrEqualTo(5);
    }
}

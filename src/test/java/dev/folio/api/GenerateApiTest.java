package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /generate} over a real HTTP server on a random port, serving a small model from a temporary store. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GenerateApiTest {

    private static final Path STORE = createStore();

    private static Path createStore() {
        try {
            Path root = Files.createTempDirectory("folio-api-test");
            TestModels.publish(new ModelStore(root), 17);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("folio.store.path", STORE::toString);
        registry.add("folio.store.model", () -> TestModels.NAME);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private HttpResponse<String> post(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/generate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void generatesTheRequestedNumberOfTokensFromTheVocabulary() throws Exception {
        HttpResponse<String> response = post("{\"inputs\":\"to be\",\"parameters\":{\"max_new_tokens\":40,\"temperature\":0.8,\"top_k\":10,\"seed\":7}}");
        assertThat(response.statusCode()).isEqualTo(200);
        String text = json.readTree(response.body()).get("generated_text").asString();
        assertThat(text).hasSize(40);
        assertThat(text.codePoints()).allMatch(TestModels.TOKENIZER::contains);
        assertThat(response.headers().firstValue("x-generated-tokens")).contains("40");
        assertThat(response.headers().firstValue("x-prompt-tokens")).contains("5");
    }

    @Test
    void theSameSeedGivesTheSameText() throws Exception {
        String body = "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":30,\"do_sample\":true,\"seed\":99}}";
        assertThat(post(body).body()).isEqualTo(post(body).body());
    }

    @Test
    void outOfRangeParametersAreNamedInAProblemDetail() throws Exception {
        HttpResponse<String> response = post("{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":0,\"temperature\":-1,\"top_p\":1.5}}");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        assertThat(problem.get("detail").asString())
                .contains("parameters.max_new_tokens").contains("parameters.temperature").contains("parameters.top_p");
        assertThat(problem.get("error_type").asString()).isEqualTo("validation");
    }

    @Test
    void unsupportedCharactersAreNamedWithTheirPositions() throws Exception {
        HttpResponse<String> response = post("{\"inputs\":\"ab€c\"}");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("'€' (U+20AC) at position 2");
    }

    @Test
    void emptyInputsAndTooManyTokensAreRefused() throws Exception {
        assertThat(post("{\"inputs\":\"\"}").statusCode()).isEqualTo(422);
        assertThat(post("{\"parameters\":{}}").body()).contains("inputs");
        HttpResponse<String> tooMany = post("{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":100000}}");
        assertThat(tooMany.statusCode()).isEqualTo(422);
        assertThat(tooMany.body()).contains("max_new_tokens must be at most");
        HttpResponse<String> tooLong = post("{\"inputs\":\"" + "a".repeat(20_000) + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(422);
        assertThat(tooLong.body()).contains("inputs must be at most 16384 characters; given: 20000");
    }

    @Test
    void malformedJsonIsA400ThatSaysWhere() throws Exception {
        HttpResponse<String> truncated = post("{\"inputs\":");
        assertThat(truncated.statusCode()).isEqualTo(400);
        assertThat(truncated.headers().firstValue("Content-Type")).contains("application/problem+json");
        HttpResponse<String> wrongType = post("{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":\"many\"}}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(json.readTree(wrongType.body()).get("detail").asString()).contains("parameters.max_new_tokens");
    }

    @Test
    void theServiceKeepsServingAfterBadRequests() throws Exception {
        post("{\"inputs\":");
        post("{\"inputs\":\"€\"}");
        assertThat(post("{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":3}}").statusCode()).isEqualTo(200);
    }
}

package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** One generation at a time and an API key: the 429 path and the 401 path. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.generation.max-concurrent-requests=1", "folio.api.key=s3cret"})
class LimitsAndAuthTest {

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        ApiTestSupport.useTestStore(registry);
    }

    @LocalServerPort
    int port;

    @Test
    void inferenceRoutesNeedTheKeyAndHealthStaysOpen() throws Exception {
        ApiClient anonymous = new ApiClient(port);
        HttpResponse<String> refused = anonymous.post("/generate", "{\"inputs\":\"abc\"}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(anonymous.json(refused.body()).get("error_type").asString()).as("the API's shape, flat").isEqualTo("authentication");
        assertThat(anonymous.post("/v1/completions", "{}").statusCode()).isEqualTo(401);
        assertThat(new ApiClient(port, Map.of("Authorization", "Bearer wrong")).post("/tokenize", "{\"inputs\":\"a\"}").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/health").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/info").statusCode()).isEqualTo(200);
        assertThat(authorized().post("/tokenize", "{\"inputs\":\"a\"}").statusCode()).isEqualTo(200);
        // no folio.admin.key configured here: the admin routes are closed, whatever is sent
        HttpResponse<String> closed = authorized().post("/admin/models/rollback", "");
        assertThat(closed.statusCode()).isEqualTo(403);
        assertThat(closed.body()).contains("no folio.admin.key is configured");
        assertThat(anonymous.post("/admin/training/runs", "").statusCode()).isEqualTo(403);
        // closed by the matched route, however the path is spelt
        RawHttp raw = new RawHttp(port);
        assertThat(raw.send("GET", "/%61dmin/corpora", Map.of("Authorization", "Bearer s3cret"), null).status()).isEqualTo(403);
        assertThat(raw.send("GET", "/admin/corpora/", Map.of(), null).status()).isEqualTo(403);
        assertThat(raw.send("GET", "/admin;x/corpora", Map.of(), null).status()).isEqualTo(400);
        assertThat(anonymous.get("/models").statusCode()).isEqualTo(200);
    }

    private ApiClient authorized() {
        return new ApiClient(port, Map.of("Authorization", "Bearer s3cret"));
    }

    @Test
    void overTheConcurrencyLimitIsA429AtOnceNeverAHang() throws Exception {
        ApiClient api = authorized();
        HttpResponse<Stream<String>> running = api.stream("/generate_stream",
                "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2048,\"do_sample\":true,\"seed\":1}}");
        Iterator<String> events = ApiClient.dataEvents(running.body());
        events.next(); // the one slot is taken now

        HttpResponse<String> overloaded = api.post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2}}");
        assertThat(overloaded.statusCode()).isEqualTo(429);
        assertThat(overloaded.headers().firstValue("Retry-After")).contains("1");
        JsonNode problem = api.json(overloaded.body());
        assertThat(problem.get("error_type").asString()).isEqualTo("overloaded");
        assertThat(api.post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":\"a\"}").statusCode()).isEqualTo(429);

        running.body().close(); // the slot frees once the generation notices its client is gone
        int status = 0;
        for (int i = 0; i < 200 && status != 200; i++) {
            status = api.post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2}}").statusCode();
            if (status != 200) {
                Thread.sleep(50);
            }
        }
        assertThat(status).isEqualTo(200);
    }
}

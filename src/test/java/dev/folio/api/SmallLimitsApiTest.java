package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.inference.ScoringPool;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Limits set small, so that what they bound is cheap to reach: the scoring routes' answer size (refused before any
 * scoring, and an answer within it is within it), and response headers that would not fit the server's header buffer.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.generation.max-scoring-response-bytes=" + SmallLimitsApiTest.SCORING_LIMIT, "server.tomcat.max-http-response-header-size=1KB"})
class SmallLimitsApiTest {

    static final int SCORING_LIMIT = 65536;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        ApiTestSupport.useTestStore(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    ScoringPool scoringPool;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private static String text(int characters) {
        return "to be or not to be, that is the question.\n".repeat(characters / 42 + 1).substring(0, characters);
    }

    @Test
    void logitsOverTheAnswerBudgetAre422BeforeAnyScoring() throws Exception {
        long scored = scoringPool.scored();
        HttpResponse<String> refused = api().post("/logits", "{\"inputs\":\"" + text(400).replace("\n", "\\n") + "\",\"positions\":\"all\",\"top_n\":5}");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = api().json(refused.body());
        assertThat(problem.get("detail").asString()).contains("400 position(s)", "64.0 KiB", "folio.generation.max-scoring-response-bytes",
                "positions \"last\"");
        assertThat(scoringPool.scored()).as("nothing was scored").isEqualTo(scored);
        HttpResponse<String> logits = api().post("/logits", "{\"inputs\":\"" + text(300).replace("\n", "\\n") + "\",\"positions\":\"all\",\"top_n\":5,"
                + "\"include_logits\":true}");
        assertThat(logits.statusCode()).isEqualTo(422);
        assertThat(api().json(logits.body()).get("detail").asString()).contains("logits");
    }

    @Test
    void logitsWithinTheBudgetAnswerWithinIt() throws Exception {
        long scored = scoringPool.scored();
        for (String body : new String[] {
                "{\"inputs\":\"" + text(100).replace("\n", "\\n") + "\",\"positions\":\"all\",\"top_n\":5}",
                "{\"inputs\":\"" + text(40).replace("\n", "\\n") + "\",\"positions\":\"all\",\"top_n\":10,\"include_logits\":true}",
                "{\"inputs\":\"" + text(16000).replace("\n", "\\n") + "\",\"top_n\":10,\"include_logits\":true}"}) {
            HttpResponse<String> response = api().post("/logits", body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body().length()).as("the answer is within the budget its estimate checked").isLessThanOrEqualTo(SCORING_LIMIT);
        }
        assertThat(scoringPool.scored()).isEqualTo(scored + 3);
    }

    @Test
    void echoScoringOverTheBudgetIs422InOpenAisShape() throws Exception {
        long scored = scoringPool.scored();
        String prompt = "\"" + text(300).replace("\n", "\\n") + "\"";
        HttpResponse<String> refused = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":[" + prompt + "," + prompt + "," + prompt
                + "],\"max_tokens\":0,\"echo\":true,\"logprobs\":5,\"n\":2}");
        assertThat(refused.statusCode()).isEqualTo(422);
        JsonNode error = api().json(refused.body()).get("error");
        assertThat(error.get("param").asString()).isEqualTo("prompt");
        assertThat(error.get("message").asString()).contains("900 prompt token(s) x 2 choice(s)", "64.0 KiB", "fewer or shorter prompts");
        HttpResponse<String> generating = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":[" + prompt + "," + prompt + "," + prompt
                + "],\"max_tokens\":2,\"echo\":true,\"logprobs\":5,\"n\":2}");
        assertThat(generating.statusCode()).as("echo with generation is bounded the same way").isEqualTo(422);
        assertThat(scoringPool.scored()).as("nothing was scored").isEqualTo(scored);
    }

    @Test
    void echoScoringWithinTheBudgetStillWorks() throws Exception {
        String prompt = "\"" + text(150).replace("\n", "\\n") + "\"";
        HttpResponse<String> response = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":" + prompt
                + ",\"max_tokens\":0,\"echo\":true,\"logprobs\":5,\"n\":2}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode choices = api().json(response.body()).get("choices");
        assertThat(choices).hasSize(2);
        assertThat(choices.get(1).get("logprobs").get("top_logprobs").get(149)).hasSize(5);
        assertThat(response.body().length()).isLessThanOrEqualTo(SCORING_LIMIT);
        HttpResponse<String> plain = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":[" + prompt + "," + prompt + "," + prompt
                + "],\"max_tokens\":0,\"echo\":true,\"n\":2}");
        assertThat(plain.statusCode()).as("without logprobs the answer carries none to bound").isEqualTo(200);
    }

    @Test
    void headersTooLargeForTheServerAreDroppedAndTheAnswerIsStillWritten() throws Exception {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            fields.append(",\"").append(String.valueOf((char) ('a' + i)).repeat(64)).append("\":1");
        }
        HttpResponse<String> response = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2}" + fields + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(api().json(response.body()).get("generated_text").asString()).hasSize(2);
        assertThat(response.headers().firstValue(IgnoredFields.HEADER)).as("more than a 1 KB header buffer holds").isEmpty();
        assertThat(response.headers().firstValue(IgnoredFields.COUNT_HEADER)).contains("16");
    }
}

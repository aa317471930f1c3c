package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Each limit lives in configuration, and raising it there raises it on every route family: TGI's, OpenAI's completions and
 * the Messages API (none keeps a bound of its own), and /info publishes it.
 */
@TestPropertySource(properties = {"folio.generation.max-stop-sequences=6", "folio.generation.max-top-n-tokens=70", "folio.generation.max-best-of=10",
        "folio.inspect.max-interventions=2", "folio.inspect.max-positions=16"})
class ConfiguredLimitsApiTest extends TinyModelServerTest {

    private static String stops(int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"zz" + (char) ('a' + i) + "\"").collect(Collectors.joining(",", "[", "]"));
    }

    @Test
    void infoPublishesTheConfiguredLimits() throws Exception {
        JsonNode limits = api().json(api().get("/info").body()).get("limits");
        assertThat(limits.get("max_stop_sequences").asInt()).isEqualTo(6);
        assertThat(limits.get("max_top_n_tokens").asInt()).isEqualTo(70);
        assertThat(limits.get("max_best_of").asInt()).isEqualTo(10);
    }

    @Test
    void theInspectionRoutesKeepTheirConfiguredLimits() throws Exception {
        JsonNode inspect = api().json(api().get("/info").body()).get("limits").get("inspect");
        assertThat(inspect.get("max_interventions").asInt()).isEqualTo(2);
        assertThat(inspect.get("max_positions").asInt()).isEqualTo(16);
        HttpResponse<String> tooLong = api().post("/inspect", "{\"inputs\":\"abcdefghijklmnopq\"}");
        assertThat(tooLong.statusCode()).isEqualTo(422);
        assertThat(tooLong.body()).contains("1 to 16 characters");
        String three = "{\"kind\":\"no_scaling\"}";
        HttpResponse<String> many = api().post("/inspect/intervene", "{\"inputs\":\"abc\",\"interventions\":[" + three + "," + three + "," + three + "]}");
        assertThat(many.statusCode()).isEqualTo(422);
        assertThat(many.body()).contains("at most 2");
        assertThat(api().post("/inspect/intervene", "{\"inputs\":\"abc\",\"interventions\":[" + three + "," + three + "]}").statusCode()).isEqualTo(200);
    }

    @Test
    void everyRouteFamilyTakesAsManySamplesAsConfigured() throws Exception {
        HttpResponse<String> tgi = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2,\"best_of\":10,\"do_sample\":true}}");
        assertThat(tgi.statusCode()).as(tgi.body()).isEqualTo(200);
        HttpResponse<String> completions = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":2,\"n\":10}");
        assertThat(completions.statusCode()).as(completions.body()).isEqualTo(200);
        assertThat(api().json(completions.body()).get("choices").size()).isEqualTo(10);
        HttpResponse<String> chat = api().post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"n\":10}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(api().json(chat.body()).get("choices").size()).isEqualTo(10);

        HttpResponse<String> tooMany = api().post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":11}");
        assertThat(tooMany.statusCode()).isEqualTo(422);
        JsonNode error = api().json(tooMany.body()).get("error");
        assertThat(error.get("message").asString()).isEqualTo("n must be at most 10; given: 11");
        assertThat(error.get("param").asString()).isEqualTo("n");
    }

    @Test
    void tgiTakesAsManyStopSequencesAndAlternativesAsConfigured() throws Exception {
        HttpResponse<String> six = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2,\"stop\":" + stops(6)
                + ",\"top_n_tokens\":66,\"details\":true}}");
        assertThat(six.statusCode()).as(six.body()).isEqualTo(200);
        HttpResponse<String> seven = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2,\"stop\":" + stops(7) + "}}");
        assertThat(seven.statusCode()).isEqualTo(422);
        assertThat(api().json(seven.body()).get("error").asString()).contains("at most 6");
    }

    @Test
    void openAiCompletionsTakeAsManyStopSequencesAsConfigured() throws Exception {
        HttpResponse<String> six = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":2,\"stop\":" + stops(6) + "}");
        assertThat(six.statusCode()).as(six.body()).isEqualTo(200);
        HttpResponse<String> seven = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":2,\"stop\":" + stops(7) + "}");
        assertThat(seven.statusCode()).isEqualTo(422);
        JsonNode error = api().json(seven.body()).get("error");
        assertThat(error.get("message").asString()).contains("at most 6");
        assertThat(error.get("param").asString()).isEqualTo("stop");
    }

    @Test
    void chatTakesAsManyStopSequencesAsConfigured() throws Exception {
        String messages = "[{\"role\":\"user\",\"content\":\"good morrow\"}]";
        HttpResponse<String> six = api().post("/v1/chat/completions", "{\"messages\":" + messages + ",\"max_tokens\":2,\"stop\":" + stops(6) + "}");
        assertThat(six.statusCode()).as(six.body()).isEqualTo(200);
        HttpResponse<String> seven = api().post("/v1/chat/completions", "{\"messages\":" + messages + ",\"max_tokens\":2,\"stop\":" + stops(7) + "}");
        assertThat(seven.statusCode()).isEqualTo(422);
        assertThat(api().json(seven.body()).get("error").get("message").asString()).contains("at most 6");
    }
}

package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.TestModels;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** TGI's routes over a real HTTP server on a random port. */
class TgiApiTest extends TinyModelServerTest {

    @Test
    void generateAnswersTheGeneratedTextAndTimingHeaders() throws Exception {
        HttpResponse<String> response = api().post("/generate", "{\"inputs\":\"to be\",\"parameters\":{\"max_new_tokens\":40,\"temperature\":0.8,\"top_k\":10,\"seed\":7}}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = api().json(response.body());
        assertThat(body.propertyNames()).containsExactly("generated_text");
        String text = body.get("generated_text").asString();
        assertThat(text).hasSize(40);
        assertThat(text.codePoints()).allMatch(TestModels.TOKENIZER::contains);
        assertThat(response.headers().firstValue("x-generated-tokens")).contains("40");
        assertThat(response.headers().firstValue("x-prompt-tokens")).contains("5");
        assertThat(response.headers().firstValue("x-compute-time")).isPresent();
        assertThat(response.headers().firstValue("x-time-per-token")).isPresent();
    }

    @Test
    void detailsMatchTgisShapeFieldByField() throws Exception {
        JsonNode body = api().json(api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":6,\"do_sample\":true,"
                + "\"seed\":5,\"details\":true,\"decoder_input_details\":true,\"top_n_tokens\":3,\"return_full_text\":true}}").body());
        assertThat(body.get("generated_text").asString()).startsWith("abc").hasSize(9);
        JsonNode details = body.get("details");
        assertThat(details.get("finish_reason").asString()).isEqualTo("length");
        assertThat(details.get("generated_tokens").asInt()).isEqualTo(6);
        assertThat(details.get("seed").asLong()).isEqualTo(5);
        assertThat(details.get("prefill")).hasSize(3);
        assertThat(details.get("prefill").get(0).get("logprob").isNull()).isTrue();
        assertThat(details.get("prefill").get(1).get("logprob").asDouble()).isNegative();
        JsonNode token = details.get("tokens").get(0);
        assertThat(token.propertyNames()).containsExactlyInAnyOrder("id", "text", "logprob", "special");
        assertThat(token.get("special").asBoolean()).isFalse();
        assertThat(details.get("top_tokens")).hasSize(6);
        assertThat(details.get("top_tokens").get(0)).hasSize(3);
        StringBuilder fromTokens = new StringBuilder();
        details.get("tokens").forEach(t -> fromTokens.append(t.get("text").asString()));
        assertThat("abc" + fromTokens).isEqualTo(body.get("generated_text").asString());
    }

    @Test
    void withoutParametersTgiSamplesAndWithParametersDecodingIsGreedy() throws Exception {
        String greedy = "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":20}}";
        assertThat(api().post("/generate", greedy).body()).isEqualTo(api().post("/generate", greedy).body());
        JsonNode sampled = api().json(api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":5,\"details\":true,\"do_sample\":true}}").body());
        assertThat(sampled.get("details").get("seed").isNumber()).isTrue();
    }

    @Test
    void theSameSeedGivesTheSameTextAndStopSequencesEndIt() throws Exception {
        String body = "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":60,\"do_sample\":true,\"seed\":99}}";
        String text = api().json(api().post("/generate", body).body()).get("generated_text").asString();
        assertThat(api().json(api().post("/generate", body).body()).get("generated_text").asString()).isEqualTo(text);
        String stop = text.substring(30, 32);
        JsonNode stopped = api().json(api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":60,\"do_sample\":true,"
                + "\"seed\":99,\"details\":true,\"stop\":[\"" + stop.replace("\n", "\\n") + "\"]}}").body());
        assertThat(stopped.get("generated_text").asString()).isEqualTo(text.substring(0, text.indexOf(stop) + 2));
        assertThat(stopped.get("details").get("finish_reason").asString()).isEqualTo("stop_sequence");
    }

    @Test
    void generateStreamSendsOneEventPerTokenAndTheLastCarriesTheText() throws Exception {
        HttpResponse<Stream<String>> response = api().stream("/generate_stream",
                "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":25,\"do_sample\":true,\"seed\":3,\"details\":true,\"top_n_tokens\":2}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        List<JsonNode> events = new ArrayList<>();
        ApiClient.dataEvents(response.body()).forEachRemaining(data -> events.add(api().json(data)));
        assertThat(events).hasSize(25);
        StringBuilder concatenated = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            assertThat(event.get("index").asInt()).isEqualTo(i);
            assertThat(event.get("token").get("special").asBoolean()).isFalse();
            assertThat(event.get("top_tokens")).hasSize(2);
            concatenated.append(event.get("token").get("text").asString());
            if (i < events.size() - 1) {
                assertThat(event.get("generated_text").isNull()).isTrue();
                assertThat(event.get("details").isNull()).isTrue();
            }
        }
        JsonNode last = events.get(24);
        assertThat(last.get("generated_text").asString()).isEqualTo(concatenated.toString());
        assertThat(last.get("details").get("finish_reason").asString()).isEqualTo("length");
        assertThat(last.get("details").get("generated_tokens").asInt()).isEqualTo(25);
        assertThat(last.get("details").get("input_length").asInt()).isEqualTo(3);
        // the streamed text is the text /generate gives for the same seed
        String same = api().json(api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":25,\"do_sample\":true,\"seed\":3}}").body())
                .get("generated_text").asString();
        assertThat(concatenated.toString()).isEqualTo(same);
    }

    @Test
    void aClientThatDisconnectsMidStreamCancelsItsGeneration() throws Exception {
        double before = cancelledCount();
        HttpResponse<Stream<String>> response = api().stream("/generate_stream",
                "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2048,\"do_sample\":true,\"seed\":1}}");
        Iterator<String> events = ApiClient.dataEvents(response.body());
        JsonNode first = api().json(events.next());
        assertThat(first.get("index").asInt()).isZero();
        assertThat(first.get("generated_text").isNull()).as("the first event arrives before the generation ends").isTrue();
        response.body().close(); // hang up
        for (int i = 0; i < 200 && cancelledCount() <= before; i++) {
            Thread.sleep(50);
        }
        assertThat(cancelledCount()).isEqualTo(before + 1);
    }

    private double cancelledCount() throws Exception {
        JsonNode metric = api().json(api().get("/actuator/metrics/folio.generations.cancelled").body());
        return metric.get("measurements").get(0).get("value").asDouble();
    }

    @Test
    void theCompatRouteAnswersAnArrayWithTheFullTextOrAStream() throws Exception {
        JsonNode array = api().json(api().post("/", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":5}}").body());
        assertThat(array.isArray()).isTrue();
        assertThat(array.get(0).get("generated_text").asString()).startsWith("abc").hasSize(8);
        HttpResponse<Stream<String>> streamed = api().stream("/", "{\"inputs\":\"abc\",\"stream\":true,\"parameters\":{\"max_new_tokens\":5}}");
        List<String> events = new ArrayList<>();
        ApiClient.dataEvents(streamed.body()).forEachRemaining(events::add);
        assertThat(events).hasSize(5);
        assertThat(api().json(events.get(4)).get("generated_text").asString()).isEqualTo(array.get(0).get("generated_text").asString());
    }

    @Test
    void tokenizeGivesIdsWithOffsetsAndDetokenizeReversesIt() throws Exception {
        JsonNode tokens = api().json(api().post("/tokenize", "{\"inputs\":\"ab c\"}").body());
        assertThat(tokens).hasSize(4);
        assertThat(tokens.get(2).get("text").asString()).isEqualTo(" ");
        assertThat(tokens.get(3).get("start").asInt()).isEqualTo(3);
        assertThat(tokens.get(3).get("stop").asInt()).isEqualTo(4);
        List<Integer> ids = new ArrayList<>();
        tokens.forEach(t -> ids.add(t.get("id").asInt()));
        assertThat(api().json(api().post("/detokenize", "{\"ids\":" + ids + "}").body()).get("text").asString()).isEqualTo("ab c");
    }

    @Test
    void logitsScoreEveryPositionAndSlideOverLongTexts() throws Exception {
        JsonNode body = api().json(api().post("/logits", "{\"inputs\":\"to be or\",\"positions\":\"all\",\"top_n\":3,\"include_logits\":true}").body());
        assertThat(body.get("tokens").asInt()).isEqualTo(8);
        JsonNode positions = body.get("positions");
        assertThat(positions).hasSize(8);
        assertThat(positions.get(0).get("logits")).hasSize(TestModels.TOKENIZER.vocabSize());
        assertThat(positions.get(0).get("top")).hasSize(3);
        assertThat(positions.get(7).has("next_token")).isFalse();
        double sum = 0;
        for (int p = 0; p < 7; p++) {
            assertThat(positions.get(p).get("next_token").get("text").asString()).isEqualTo("to be or".substring(p + 1, p + 2));
            sum -= positions.get(p).get("next_token").get("logprob").asDouble();
        }
        assertThat(body.get("mean_nll").asDouble()).isCloseTo(sum / 7, org.assertj.core.api.Assertions.within(1e-4));
        assertThat(body.get("perplexity").asDouble()).isCloseTo(Math.exp(sum / 7), org.assertj.core.api.Assertions.within(1e-3));
        assertThat(body.get("window").get("sliding").asBoolean()).isFalse();

        String longText = "to be, or not to be, that is the question. ".repeat(3); // beyond the 32-token window
        JsonNode slid = api().json(api().post("/logits", "{\"inputs\":\"" + longText + "\"}").body());
        assertThat(slid.get("positions")).hasSize(1);
        assertThat(slid.get("window").get("sliding").asBoolean()).isTrue();
        assertThat(slid.get("window").get("windows").asInt()).isGreaterThan(1);
        assertThat(slid.get("mean_nll").asDouble()).isPositive();
    }

    @Test
    void infoAndHealthDescribeTheServedModel() throws Exception {
        JsonNode info = api().json(api().get("/info").body());
        assertThat(info.get("model_id").asString()).isEqualTo(TestModels.NAME);
        assertThat(info.get("max_input_tokens").asInt()).isEqualTo(32);
        assertThat(info.get("max_concurrent_requests").asInt()).isEqualTo(128);
        assertThat(info.get("max_stop_sequences").asInt()).isEqualTo(4);
        assertThat(info.get("block_size").asInt()).isEqualTo(32);
        assertThat(info.get("vocabulary").asString()).isEqualTo(TestModels.TOKENIZER.vocabulary());
        assertThat(info.get("limits").get("max_request_bytes").asLong()).isEqualTo(262144);
        assertThat(info.get("limits").get("max_new_tokens").asInt()).isEqualTo(2048);
        assertThat(info.get("limits").get("max_concurrent_scoring").asInt()).isEqualTo(16);
        assertThat(info.get("limits").get("scoring_threads").asInt()).isEqualTo(1);
        assertThat(api().get("/health").statusCode()).isEqualTo(200);
        assertThat(api().json(api().get("/actuator/health/readiness").body()).get("status").asString()).isEqualTo("UP");
    }

    @Test
    void healthAnswersItsStatusAndTheServedModels() throws Exception {
        HttpResponse<String> response = api().get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        JsonNode health = api().json(response.body());
        assertThat(health.propertyNames()).containsExactly("status", "models");
        assertThat(health.get("status").asString()).isEqualTo("ok");
        assertThat(health.get("models")).singleElement().satisfies(model -> {
            assertThat(model.get("model_id").asString()).isEqualTo(TestModels.NAME);
            assertThat(model.get("model_version").asString()).isEqualTo(api().json(api().get("/info").body()).get("model_version").asString());
            assertThat(model.get("default").asBoolean()).isTrue();
        });
    }

    @Test
    void aGreedyGenerationReportsANullSeedAsTgiDoesAndASampledOneItsSeed() throws Exception {
        HttpResponse<String> greedy = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":5,\"details\":true}}");
        assertThat(greedy.statusCode()).isEqualTo(200);
        JsonNode details = api().json(greedy.body()).get("details");
        assertThat(details.has("seed")).as("present, as TGI's Details has it").isTrue();
        assertThat(details.get("seed").isNull()).isTrue();
        assertThat(greedy.headers().firstValue("x-seed")).isEmpty();

        List<JsonNode> events = new ArrayList<>();
        ApiClient.dataEvents(api().stream("/generate_stream", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":3,\"details\":true}}")
                .body()).forEachRemaining(data -> events.add(api().json(data)));
        assertThat(events).hasSize(3);
        assertThat(events.get(2).get("details").has("seed")).isTrue();
        assertThat(events.get(2).get("details").get("seed").isNull()).isTrue();

        HttpResponse<String> sampled = api().post("/generate",
                "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":5,\"details\":true,\"temperature\":0.7,\"seed\":11}}");
        assertThat(api().json(sampled.body()).get("details").get("seed").asLong()).isEqualTo(11);
        assertThat(sampled.headers().firstValue("x-seed")).contains("11");
    }
}

package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.TestModels;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** OpenAI's completions routes over a real HTTP server. */
class OpenAiApiTest extends TinyModelServerTest {

    @Test
    void completionsAnswerInOpenAisShape() throws Exception {
        HttpResponse<String> response = api().post("/v1/completions",
                "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":12,\"temperature\":0.7,\"seed\":4,\"n\":2,\"logprobs\":2}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = api().json(response.body());
        assertThat(body.get("id").asString()).startsWith("cmpl-");
        assertThat(body.get("object").asString()).isEqualTo("text_completion");
        assertThat(body.get("created").asLong()).isPositive();
        assertThat(body.get("model").asString()).as("name:version that answered").matches("tiny-char:v\\d{8}-\\d{6}");
        assertThat(response.headers().firstValue("X-Folio-Model-Version").orElseThrow()).isEqualTo(body.get("model").asString().substring(10));
        JsonNode choices = body.get("choices");
        assertThat(choices).hasSize(2);
        assertThat(choices.get(1).get("index").asInt()).isEqualTo(1);
        assertThat(choices.get(0).get("text").asString()).hasSize(12);
        assertThat(choices.get(0).get("finish_reason").asString()).isEqualTo("length");
        JsonNode logprobs = choices.get(0).get("logprobs");
        assertThat(logprobs.get("tokens")).hasSize(12);
        assertThat(logprobs.get("token_logprobs")).hasSize(12);
        assertThat(logprobs.get("top_logprobs").get(0).size()).isBetween(1, 2);
        assertThat(logprobs.get("text_offset").get(1).asInt()).isEqualTo(1);
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(3);
        assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(24);
        assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(27);
    }

    @Test
    void temperatureZeroIsGreedyAndEchoPrependsThePrompt() throws Exception {
        String greedy = "{\"model\":\"tiny-char\",\"prompt\":[\"abc\",\"xyz\"],\"max_tokens\":10,\"temperature\":0}";
        JsonNode a = api().json(api().post("/v1/completions", greedy).body());
        JsonNode b = api().json(api().post("/v1/completions", greedy).body());
        assertThat(a.get("choices")).hasSize(2);
        assertThat(a.get("choices").get(0).get("text")).isEqualTo(b.get("choices").get(0).get("text"));
        JsonNode echoed = api().json(api().post("/v1/completions",
                "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":10,\"temperature\":0,\"echo\":true}").body());
        assertThat(echoed.get("choices").get(0).get("text").asString()).isEqualTo("abc" + a.get("choices").get(0).get("text").asString());
    }

    @Test
    void aStopSequenceEndsTheTextAndIsNotIncluded() throws Exception {
        String free = api().json(api().post("/v1/completions",
                "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":60,\"seed\":8}").body()).get("choices").get(0).get("text").asString();
        String stop = free.substring(25, 27).replace("\n", "\\n");
        JsonNode stopped = api().json(api().post("/v1/completions",
                "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":60,\"seed\":8,\"stop\":\"" + stop + "\"}").body());
        String unescaped = free.substring(25, 27);
        assertThat(stopped.get("choices").get(0).get("text").asString()).isEqualTo(free.substring(0, free.indexOf(unescaped)));
        assertThat(stopped.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");

        // streamed, the stop sequence is held back and never sent
        HttpResponse<Stream<String>> streamed = api().stream("/v1/completions",
                "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":60,\"seed\":8,\"stop\":[\"" + stop + "\"],\"stream\":true}");
        List<String> data = new ArrayList<>();
        ApiClient.dataEvents(streamed.body()).forEachRemaining(data::add);
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        String text = data.subList(0, data.size() - 1).stream()
                .map(d -> api().json(d).get("choices").get(0).get("text").asString()).collect(Collectors.joining());
        assertThat(text).isEqualTo(free.substring(0, free.indexOf(unescaped)));
        assertThat(api().json(data.get(data.size() - 2)).get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
    }

    @Test
    void streamingSendsDataOnlyChunksAndEndsWithDone() throws Exception {
        HttpResponse<Stream<String>> response = api().stream("/v1/completions",
                "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":8,\"seed\":2,\"stream\":true}");
        List<String> lines = response.body().filter(line -> !line.isEmpty()).toList();
        assertThat(lines).allMatch(line -> line.startsWith("data:"), "data-only events, no event: field");
        List<String> data = lines.stream().map(l -> l.substring(5).stripLeading()).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        JsonNode chunk = api().json(data.get(0));
        assertThat(chunk.get("object").asString()).isEqualTo("text_completion");
        assertThat(chunk.get("choices").get(0).get("finish_reason").isNull()).isTrue();
        String joined = data.subList(0, data.size() - 1).stream().map(d -> api().json(d).get("choices").get(0).get("text").asString())
                .collect(Collectors.joining());
        String whole = api().json(api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":8,\"seed\":2}").body())
                .get("choices").get(0).get("text").asString();
        assertThat(joined).isEqualTo(whole);
    }

    @Test
    void aStreamCarriesTheLogprobsOfWhatEachChunkSends() throws Exception {
        String request = "\"prompt\":\"abc\",\"max_tokens\":12,\"seed\":6,\"logprobs\":2,\"echo\":true";
        JsonNode whole = api().json(api().post("/v1/completions", "{" + request + "}").body()).get("choices").get(0).get("logprobs");
        HttpResponse<Stream<String>> streamed = api().stream("/v1/completions", "{" + request + ",\"stream\":true}");
        List<String> data = new ArrayList<>();
        ApiClient.dataEvents(streamed.body()).forEachRemaining(data::add);
        JsonNode echoed = api().json(data.get(0)).get("choices").get(0);
        assertThat(echoed.get("text").asString()).isEqualTo("abc");
        assertThat(echoed.get("logprobs").get("token_logprobs").get(0).isNull()).isTrue();
        List<String> tokens = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (String event : data.subList(0, data.size() - 1)) {
            JsonNode choice = api().json(event).get("choices").get(0);
            JsonNode logprobs = choice.get("logprobs");
            assertThat(logprobs.get("tokens")).as("one logprob per character sent").hasSize(choice.get("text").asString().length());
            logprobs.get("tokens").forEach(t -> tokens.add(t.asString()));
            logprobs.get("text_offset").forEach(o -> offsets.add(o.asInt()));
        }
        List<String> expected = new ArrayList<>();
        whole.get("tokens").forEach(t -> expected.add(t.asString()));
        assertThat(tokens).isEqualTo(expected);
        List<Integer> expectedOffsets = new ArrayList<>();
        whole.get("text_offset").forEach(o -> expectedOffsets.add(o.asInt()));
        assertThat(offsets).isEqualTo(expectedOffsets);
    }

    @Test
    void anyModelNameIsServedByTheOneModel() throws Exception {
        for (String name : new String[] {"gpt-3.5-turbo-instruct", "http://127.0.0.1:8080", "tiny-char"}) {
            HttpResponse<String> response = api().post("/v1/completions",
                    "{\"model\":\"" + name + "\",\"prompt\":\"abc\",\"max_tokens\":3,\"seed\":1}");
            assertThat(response.statusCode()).as(name).isEqualTo(200);
            String model = api().json(response.body()).get("model").asString();
            assertThat(model).as("what answered").matches("tiny-char:v\\d{8}-\\d{6}");
            assertThat(response.headers().firstValue("X-Folio-Model-Version")).contains(model.substring("tiny-char:".length()));
        }
        assertThat(api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":3}").statusCode()).as("no model at all").isEqualTo(200);
    }

    @Test
    void modelsListsTheServedModel() throws Exception {
        JsonNode models = api().json(api().get("/v1/models").body());
        assertThat(models.get("object").asString()).isEqualTo("list");
        assertThat(models.get("data").get(0).get("id").asString()).isEqualTo(TestModels.NAME);
        assertThat(models.get("data").get(0).get("object").asString()).isEqualTo("model");
    }

    @Test
    void errorsComeInOpenAisShape() throws Exception {
        HttpResponse<String> noRoute = api().post("/v1/edits", "{\"model\":\"tiny-char\",\"prompt\":\"abc\"}");
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(api().json(noRoute.body()).get("error").get("message").asString())
                .isEqualTo("there is no route POST /v1/edits; the API is listed at /v3/api-docs (Swagger UI at /docs)");
        HttpResponse<String> wrongMethod = api().get("/v1/completions");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(api().json(wrongMethod.body()).get("error").get("message").asString())
                .isEqualTo("GET /v1/completions is not served; this path answers POST");
        HttpResponse<String> typed = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":\"many\"}");
        assertThat(typed.statusCode()).isEqualTo(400);
        assertThat(api().json(typed.body()).get("error").get("message").asString()).contains("max_tokens").contains("an integer")
                .doesNotContain("java.").doesNotContain("`");
        HttpResponse<String> tooHot = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"temperature\":3,\"logprobs\":9}");
        assertThat(tooHot.statusCode()).isEqualTo(422);
        JsonNode error = api().json(tooHot.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).contains("temperature").contains("logprobs");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        HttpResponse<String> badPrompt = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":42}");
        assertThat(badPrompt.statusCode()).isEqualTo(422);
        assertThat(api().json(badPrompt.body()).get("error").get("param").asString()).isEqualTo("prompt");
    }
}

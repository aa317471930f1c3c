package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every generation parameter is honoured, observed over HTTP, or refused by name. */
class SamplingApiTest extends TinyModelServerTest {

    private String generated(String parameters) throws Exception {
        HttpResponse<String> response = api().post("/generate", "{\"inputs\":\"the king\",\"parameters\":{" + parameters + "}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return api().json(response.body()).get("generated_text").asString();
    }

    private String completed(String fields) throws Exception {
        HttpResponse<String> response = api().post("/v1/completions", "{\"prompt\":\"the king\"," + fields + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return api().json(response.body()).get("choices").get(0).get("text").asString();
    }

    private static long distinct(String text) {
        return text.chars().distinct().count();
    }

    /** How much of the text its most frequent character takes. */
    private static double topShare(String text) {
        int[] counts = new int[128];
        text.chars().forEach(c -> counts[c]++);
        return (double) java.util.Arrays.stream(counts).max().orElse(0) / text.length();
    }

    @Test
    void aBannedCharacterNeverAppears() throws Exception {
        int space = api().json(api().post("/tokenize", "{\"inputs\":\" \"}").body()).get(0).get("id").asInt();
        String free = completed("\"max_tokens\":300,\"seed\":3");
        assertThat(free).contains(" ");
        String banned = completed("\"max_tokens\":300,\"seed\":3,\"logit_bias\":{\"" + space + "\":-100}");
        assertThat(banned).hasSize(300).doesNotContain(" ");
        int e = api().json(api().post("/tokenize", "{\"inputs\":\"e\"}").body()).get(0).get("id").asInt();
        assertThat(completed("\"max_tokens\":40,\"seed\":3,\"logit_bias\":{\"" + e + "\":100}")).isEqualTo("e".repeat(40));
    }

    @Test
    void penaltiesMoveSeededTextInTheirDirection() throws Exception {
        String repeats = completed("\"max_tokens\":300,\"seed\":5,\"frequency_penalty\":-2,\"presence_penalty\":-2");
        String plain = completed("\"max_tokens\":300,\"seed\":5");
        String varied = completed("\"max_tokens\":300,\"seed\":5,\"frequency_penalty\":2,\"presence_penalty\":2");
        assertThat(topShare(repeats)).as("negative penalties: repeats").isGreaterThan(topShare(plain));
        assertThat(topShare(varied)).as("positive penalties: fewer repeats").isLessThan(topShare(plain));
        assertThat(distinct(varied)).isGreaterThanOrEqualTo(distinct(plain));

        // TGI's penalty is a token's share of the text times the penalty (at most 2 logits): too gentle to move a 300-character
        // text's statistics reliably (LogitsProcessorsTest checks its arithmetic); here it must reach the sampler both ways
        String tgiPlain = generated("\"do_sample\":true,\"seed\":9,\"max_new_tokens\":300");
        String tgiPenalised = generated("\"do_sample\":true,\"seed\":9,\"max_new_tokens\":300,\"frequency_penalty\":1.9");
        String tgiFavoured = generated("\"do_sample\":true,\"seed\":9,\"max_new_tokens\":300,\"frequency_penalty\":-1.9");
        assertThat(tgiPenalised).isNotEqualTo(tgiPlain).isNotEqualTo(tgiFavoured);
        assertThat(tgiFavoured).isNotEqualTo(tgiPlain);
    }

    @Test
    void typicalPChangesSeededText() throws Exception {
        String plain = generated("\"do_sample\":true,\"seed\":4,\"max_new_tokens\":100");
        String typical = generated("\"do_sample\":true,\"seed\":4,\"max_new_tokens\":100,\"typical_p\":0.3");
        assertThat(typical).isNotEqualTo(plain).hasSize(100);
        assertThat(generated("\"do_sample\":true,\"seed\":4,\"max_new_tokens\":100,\"typical_p\":0.3")).as("seeded: repeatable").isEqualTo(typical);
    }

    @Test
    void aRegexGrammarIsFollowedAndEndsTheText() throws Exception {
        String regex = "(to|be)( (or|not|to|be)){2,6}\\\\.";
        for (int seed = 0; seed < 8; seed++) {
            HttpResponse<String> response = api().post("/generate", "{\"inputs\":\"hamlet\",\"parameters\":{\"do_sample\":true,\"seed\":" + seed
                    + ",\"max_new_tokens\":60,\"details\":true,\"grammar\":{\"type\":\"regex\",\"value\":\"" + regex + "\"}}}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = api().json(response.body());
            String text = body.get("generated_text").asString();
            assertThat(text).as("seed %d", seed).matches("(to|be)( (or|not|to|be)){2,6}\\.");
            JsonNode details = body.get("details");
            assertThat(details.get("finish_reason").asString()).isEqualTo("eos_token");
            JsonNode last = details.get("tokens").get(details.get("tokens").size() - 1);
            assertThat(last.get("special").asBoolean()).as("the grammar ends with a virtual end-of-sequence token").isTrue();
            assertThat(last.get("text").asString()).isEmpty();
            assertThat(details.get("generated_tokens").asInt()).isEqualTo(text.length() + 1);
        }
        // OpenAI's side: the chat route's response_format takes TGI's grammar; the reply follows it, finish "stop"
        JsonNode chat = api().json(api().post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"speak\"}],\"seed\":1,"
                + "\"max_tokens\":60,\"response_format\":{\"type\":\"regex\",\"value\":\"" + regex + "\"}}").body());
        assertThat(chat.get("choices").get(0).get("message").get("content").asString()).matches("(to|be)( (or|not|to|be)){2,6}\\.");
        assertThat(chat.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
    }

    @Test
    void bestOfReturnsTheMostLikelyOfItsSamples() throws Exception {
        JsonNode details = api().json(api().post("/generate", "{\"inputs\":\"the king\",\"parameters\":{\"do_sample\":true,\"seed\":21,"
                + "\"max_new_tokens\":15,\"best_of\":3,\"details\":true}}").body()).get("details");
        assertThat(details.get("best_of_sequences")).hasSize(2);
        double chosen = total(details.get("tokens"));
        List<Double> others = new ArrayList<>();
        for (JsonNode other : details.get("best_of_sequences")) {
            others.add(total(other.get("tokens")));
            assertThat(other.get("generated_text").asString()).hasSize(15);
        }
        assertThat(others).allMatch(o -> o <= chosen);

        // OpenAI's best_of: the n best of best_of seeded samples, by mean logprob per token
        List<Double> means = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            JsonNode choice = api().json(api().post("/v1/completions", "{\"prompt\":\"the king\",\"max_tokens\":12,\"seed\":" + (40 + j)
                    + ",\"logprobs\":0}").body()).get("choices").get(0);
            texts.add(choice.get("text").asString());
            means.add(total(choice.get("logprobs").get("token_logprobs")) / 12);
        }
        int best = means.indexOf(means.stream().max(Double::compare).orElseThrow());
        JsonNode bestOf = api().json(api().post("/v1/completions", "{\"prompt\":\"the king\",\"max_tokens\":12,\"seed\":40,\"best_of\":3}").body());
        assertThat(bestOf.get("choices")).hasSize(1);
        assertThat(bestOf.get("choices").get(0).get("text").asString()).isEqualTo(texts.get(best));
    }

    private static double total(JsonNode logprobs) {
        double sum = 0;
        for (JsonNode t : logprobs) {
            sum += t.isNumber() ? t.asDouble() : t.get("logprob").asDouble();
        }
        return sum;
    }

    @Test
    void fieldsOfNeitherSchemaAreIgnoredAndNamed() throws Exception {
        HttpResponse<String> tgi = api().post("/generate", "{\"inputs\":\"abc\",\"priority\":1,\"parameters\":{\"max_new_tokens\":2,\"min_p\":0.1}}");
        assertThat(tgi.statusCode()).isEqualTo(200);
        assertThat(tgi.headers().firstValue(IgnoredFields.HEADER)).contains("parameters.min_p, priority");
        HttpResponse<String> openai = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":2,\"min_p\":0.1,\"use_beam_search\":false}");
        assertThat(openai.headers().firstValue(IgnoredFields.HEADER)).contains("min_p, use_beam_search");
        HttpResponse<String> known = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":2,\"repetition_penalty\":1.2}");
        assertThat(known.headers().firstValue(IgnoredFields.HEADER)).as("TGI's own field is honoured, not ignored").isEmpty();
    }

    static Stream<Arguments> refusals() {
        String generate = "/generate";
        return Stream.of(
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"watermark\":true}}", "parameters.watermark"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"adapter_id\":\"lora-1\"}}", "parameters.adapter_id"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"best_of\":2}}", "needs sampling"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"best_of\":99,\"do_sample\":true}}", "at most 8"),
                Arguments.of("/generate_stream", "{\"inputs\":\"a\",\"parameters\":{\"best_of\":2,\"do_sample\":true}}", "cannot stream"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"typical_p\":0}}", "parameters.typical_p"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"frequency_penalty\":-2}}", "parameters.frequency_penalty"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"grammar\":{\"type\":\"regex\",\"value\":\"(ab\"}}}", "parameters.grammar"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"grammar\":{\"type\":\"regex\",\"value\":\"[A-Z]+\"}}}", "'A'-'Z' (U+0041-U+005A)"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"grammar\":{\"type\":\"json\",\"value\":{\"type\":\"object\","
                        + "\"properties\":{\"a\":{\"type\":\"integer\"}}}}}}", "'{' (U+007B)"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"grammar\":{\"type\":\"regex\",\"value\":\"(a|b)*a(a|b){40}\"}}}",
                        "too complex"),
                Arguments.of(generate, "{\"inputs\":\"a\",\"parameters\":{\"grammar\":{\"type\":\"yaml\",\"value\":\"x\"}}}", "parameters.grammar.type"),
                Arguments.of("/v1/completions", "{\"prompt\":\"a\",\"suffix\":\"b\"}", "suffix"),
                Arguments.of("/v1/completions", "{\"prompt\":\"a\",\"n\":3,\"best_of\":2}", "at least n"),
                Arguments.of("/v1/completions", "{\"prompt\":\"a\",\"best_of\":2,\"stream\":true}", "cannot stream"),
                Arguments.of("/v1/completions", "{\"prompt\":\"a\",\"logit_bias\":{\"70\":1}}", "not in the vocabulary"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void whatCannotBeHonouredIsRefusedByName(String path, String body, String says) throws Exception {
        HttpResponse<String> response = api().post(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains(says);
    }
}

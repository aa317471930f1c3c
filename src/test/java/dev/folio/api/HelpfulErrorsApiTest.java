package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Errors that say what to do: a value of the wrong type is named with what it must be and what was given, a misspelt field
 * is refused with the field it was likely meant to be, and a chat the model's vocabulary cannot spell names the remedy. (The
 * assistant's speaker here ends in a colon, which the tiny model's vocabulary lacks, as a play-script template's would.)
 */
@TestPropertySource(properties = "folio.chat.speakers.assistant=JULIET:")
class HelpfulErrorsApiTest extends TinyModelServerTest {

    @Test
    void aValueOfTheWrongTypeSaysWhatTheFieldMustBeAndWhatWasGiven() throws Exception {
        HttpResponse<String> openAi = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":\"ten\"}");
        assertThat(openAi.statusCode()).isEqualTo(400);
        JsonNode error = api().json(openAi.body()).get("error");
        assertThat(error.get("message").asString()).isEqualTo("max_tokens must be an integer; given \"ten\"");
        assertThat(error.get("param").asString()).isEqualTo("max_tokens");

        HttpResponse<String> tgi = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"temperature\":[1]}}");
        assertThat(tgi.statusCode()).isEqualTo(400);
        assertThat(api().json(tgi.body()).get("error").asString()).isEqualTo("parameters.temperature must be a number; given an array");
    }

    @Test
    void aFieldOneEditFromAKnownOneIsRefusedWithTheNameItMeant() throws Exception {
        HttpResponse<String> tgi = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_token\":3}}");
        assertThat(tgi.statusCode()).as(tgi.body()).isEqualTo(422);
        assertThat(api().json(tgi.body()).get("error").asString()).contains("did you mean parameters.max_new_tokens?");

        HttpResponse<String> completions = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_token\":3}");
        assertThat(completions.statusCode()).as(completions.body()).isEqualTo(422);
        JsonNode error = api().json(completions.body()).get("error");
        assertThat(error.get("message").asString()).contains("did you mean max_tokens?");
        assertThat(error.get("param").asString()).isEqualTo("max_token");

        HttpResponse<String> chat = api().post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temprature\":0.5}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(422);
        assertThat(api().json(chat.body()).get("error").get("message").asString()).contains("did you mean temperature?");
    }

    @Test
    void otherUnknownFieldsAreStillIgnoredAndNamed() throws Exception {
        HttpResponse<String> response = api().post("/generate",
                "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2,\"min_p\":0.1,\"max_tokens\":9},\"stream_options\":{}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue(IgnoredFields.HEADER)).contains("parameters.max_tokens, parameters.min_p, stream_options");
    }

    @Test
    void aChatTheVocabularyCannotSpellNamesTheRemedy() throws Exception {
        HttpResponse<String> response = api().post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(api().json(response.body()).get("error").get("message").asString())
                .contains("':'").contains("--chat-template").contains("folio.chat.speakers.assistant");
    }
}

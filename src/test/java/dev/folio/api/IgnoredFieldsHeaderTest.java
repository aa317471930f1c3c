package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A body of 1,100 unknown fields (12 KB) is answered in full, with the ignored names capped to a header Tomcat can write. */
class IgnoredFieldsHeaderTest extends TinyModelServerTest {

    private static final int FIELDS = 1100;

    private static String unknownFields() {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < FIELDS; i++) {
            fields.append(",\"field").append(String.format("%04d", i)).append("\":1");
        }
        return fields.toString();
    }

    @Test
    void elevenHundredUnknownFieldsAnswer200WithABoundedHeader() throws Exception {
        String body = "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":3}" + unknownFields() + "}";
        assertThat(body.length()).isGreaterThan(12_000);
        HttpResponse<String> response = api().post("/generate", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(api().json(response.body()).get("generated_text").asString()).hasSize(3);
        String names = response.headers().firstValue(IgnoredFields.HEADER).orElseThrow();
        assertThat(names).startsWith("field0000, field0001, ").endsWith("field0015, ... (" + (FIELDS - IgnoredFields.MAX_NAMES) + " more)");
        assertThat(names.length()).isLessThan(IgnoredFields.MAX_NAMES * (IgnoredFields.MAX_NAME_LENGTH + 5) + 32);
        assertThat(response.headers().firstValue(IgnoredFields.COUNT_HEADER)).contains(Integer.toString(FIELDS));
    }

    @Test
    void theOpenAiRouteCapsItToo() throws Exception {
        HttpResponse<String> response = api().post("/v1/completions", "{\"model\":\"tiny-char\",\"prompt\":\"abc\",\"max_tokens\":2" + unknownFields() + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue(IgnoredFields.COUNT_HEADER)).contains(Integer.toString(FIELDS));
        assertThat(response.headers().firstValue(IgnoredFields.HEADER).orElseThrow()).contains("(1084 more)");
    }

    @Test
    void aFewUnknownFieldsAreAllNamed() throws Exception {
        HttpResponse<String> response = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":1,\"min_p\":0.1},\"b\":1,\"a\":2}");
        assertThat(response.headers().firstValue(IgnoredFields.HEADER)).contains("a, b, parameters.min_p");
        assertThat(response.headers().firstValue(IgnoredFields.COUNT_HEADER)).contains("3");
    }
}

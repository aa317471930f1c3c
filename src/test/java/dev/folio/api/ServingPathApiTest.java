package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.model.ServingPathCheck;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** /info and the metrics say which weight products each served model runs, and why (the load-time check's verdict). */
class ServingPathApiTest extends TinyModelServerTest {

    @Test
    void infoNamesTheCheckedPathAndTheMetricsCarryIt() throws Exception {
        JsonNode info = api().json(api().get("/info").body());
        JsonNode path = info.get("serving_path");
        assertThat(path.get("verified").asBoolean()).isTrue();
        String products = path.get("products").asString();
        assertThat(products).isIn("onednn_packed", "linear");
        assertThat(path.get("tolerance").asDouble()).isEqualTo(ServingPathCheck.TOLERANCE);
        assertThat(path.get("reason").asString()).startsWith(products + ": agrees with the float64 reference");
        JsonNode candidates = path.get("candidates");
        assertThat(candidates.get(0).get("products").asString()).as("the fastest is tried first").isEqualTo("onednn_packed");
        JsonNode served = candidates.get(candidates.size() - 1);
        assertThat(served.get("products").asString()).isEqualTo(products);
        assertThat(served.get("agrees").asBoolean()).isTrue();
        assertThat(served.get("relative_error").asDouble()).isBetween(0.0, ServingPathCheck.TOLERANCE);
        assertThat(served.get("worst_pass").asString()).matches("padded prefill|prefill after a cache|decoding step, .+");
        assertThat(info.get("models").get(0).get("serving_path").get("products").asString()).isEqualTo(products);
        JsonNode threads = path.get("step_threads");
        assertThat(threads.get("probes")).as("the thread rule, measured at load (one core: nothing to measure)")
                .hasSize(Runtime.getRuntime().availableProcessors() > 1 ? 4 : 0);
        threads.get("probes").forEach(probe -> assertThat(probe.get("one_thread_ms").asDouble()).isPositive());
        assertThat(threads.get("single_thread_below_rows").asInt()).isBetween(1, 17);
        assertThat(api().get("/actuator/prometheus").body()).containsPattern("folio_model_info\\{model=\"[^\"]+\",serving_path=\"" + products + "\"");
    }
}

package dev.folio.api.inspect;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The inspection routes' bounds, under {@code folio.inspect.} (docs/inspect.md#limits), all published in {@code /info}.
 *
 * @param threads threads that run inspections, one libtorch thread each (never the decode scheduler's)
 * @param maxQueued inspections waiting for a thread; beyond, 429 at once
 * @param maxPositions characters of an inspected text (also at most the model's context window)
 * @param maxResponseBytes the largest answer, estimated from the selection and encoding before anything runs; beyond, 422
 * @param maxJsonValues numbers an answer may carry as JSON ({@code "encoding": "json"}); beyond, 422
 * @param maxTopK candidates per distribution
 * @param maxInterventions interventions per request
 * @param maxGenerateTokens tokens a generation under an intervention may ask for
 * @param maxPatchingRuns cells (forward passes) of a patching sweep
 * @param maxWorkTime processor time one inspection may take; beyond, it stops and answers 422
 * @param cachedVersions versions other than the served one kept loaded for inspection, most recently used first
 */
@ConfigurationProperties("folio.inspect")
public record InspectProperties(@DefaultValue("1") int threads, @DefaultValue("4") int maxQueued, @DefaultValue("256") int maxPositions,
        @DefaultValue("16777216") long maxResponseBytes, @DefaultValue("65536") int maxJsonValues, @DefaultValue("10") int maxTopK,
        @DefaultValue("8") int maxInterventions, @DefaultValue("64") int maxGenerateTokens, @DefaultValue("256") int maxPatchingRuns,
        @DefaultValue("60s") Duration maxWorkTime, @DefaultValue("2") int cachedVersions) {

    /** As {@code /info} publishes them. */
    public Map<String, Object> published() {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("threads", threads);
        limits.put("max_queued", maxQueued);
        limits.put("max_positions", maxPositions);
        limits.put("max_response_bytes", maxResponseBytes);
        limits.put("max_json_values", maxJsonValues);
        limits.put("max_top_k", maxTopK);
        limits.put("max_interventions", maxInterventions);
        limits.put("max_generate_tokens", maxGenerateTokens);
        limits.put("max_patching_runs", maxPatchingRuns);
        limits.put("max_work_time_ms", maxWorkTime.toMillis());
        limits.put("cached_versions", cachedVersions);
        return limits;
    }
}

package dev.folio.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The effective settings of a run, as a response shows them: the request's, the rest from configuration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSettings(@JsonProperty("model") String model, @JsonProperty("mode") String mode,
        @JsonProperty("base_version") String baseVersion, @JsonProperty("architecture") RunRequest.Architecture architecture,
        @JsonProperty("corpus") String corpus, @JsonProperty("corpus_sha256") String corpusSha256,
        @JsonProperty("max_steps") int maxSteps, @JsonProperty("max_duration") String maxDuration,
        @JsonProperty("learning_rate") float learningRate, @JsonProperty("batch_size") int batchSize,
        @JsonProperty("eval_batches") int evalBatches, @JsonProperty("improvement_margin") double improvementMargin,
        @JsonProperty("seed") long seed, @JsonProperty("chat_template") String chatTemplate,
        @JsonProperty("chat_stop") List<String> chatStop) {}

package dev.folio;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Folio's settings, under {@code folio.} in application.yaml.
 *
 * @param store where models live and which one to serve
 * @param generation limits and defaults for generation requests (all published in {@code /info})
 * @param api access to the inference routes
 */
@ConfigurationProperties("folio")
public record FolioProperties(@DefaultValue Store store, @DefaultValue Generation generation, @DefaultValue Api api) {

    /**
     * @param path model store root
     * @param model the store entry to serve
     */
    public record Store(@DefaultValue("model-store") Path path, @DefaultValue("shakespeare-char") String model) {}

    /**
     * @param defaultMaxNewTokens used when a request does not say
     * @param maxNewTokensLimit the most a request may ask for
     * @param maxInputLength the longest prompt accepted, in characters (only the last context window of it is used)
     * @param maxStopSequences stop sequences per request
     * @param maxStopSequenceLength characters per stop sequence
     * @param maxTopNTokens alternatives per token (top_n_tokens, logprobs, top_n)
     * @param maxConcurrentRequests generations at once; more get 429 at once, never a queue that hangs
     * @param maxRequestBytes request bodies larger than this get 413
     */
    public record Generation(
            @DefaultValue("100") int defaultMaxNewTokens,
            @DefaultValue("2048") int maxNewTokensLimit,
            @DefaultValue("16384") int maxInputLength,
            @DefaultValue("4") int maxStopSequences,
            @DefaultValue("64") int maxStopSequenceLength,
            @DefaultValue("10") int maxTopNTokens,
            @DefaultValue("8") int maxConcurrentRequests,
            @DefaultValue("262144") long maxRequestBytes) {}

    /** @param key when set, inference routes need {@code Authorization: Bearer <key>}; unset, they are open (as TGI) */
    public record Api(String key) {}
}

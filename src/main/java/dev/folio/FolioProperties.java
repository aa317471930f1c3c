package dev.folio;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Folio's settings, under {@code folio.} in application.yaml.
 *
 * @param store where models live and which one to serve
 * @param generation limits and defaults for generation requests
 */
@ConfigurationProperties("folio")
public record FolioProperties(@DefaultValue Store store, @DefaultValue Generation generation) {

    /**
     * @param path model store root
     * @param model the store entry to serve
     */
    public record Store(@DefaultValue("model-store") Path path, @DefaultValue("shakespeare-char") String model) {}

    /**
     * @param defaultMaxNewTokens used when a request does not say
     * @param maxNewTokensLimit the most a request may ask for
     * @param maxInputLength the longest prompt accepted, in characters (only the last context window of it is used)
     */
    public record Generation(@DefaultValue("100") int defaultMaxNewTokens, @DefaultValue("2048") int maxNewTokensLimit,
            @DefaultValue("16384") int maxInputLength) {}
}

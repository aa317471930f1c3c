package dev.folio.api.openai;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * OpenAI's stream_options, the same on completions and chat.
 *
 * @param includeUsage send a last chunk with the usage (and no choices) before [DONE]
 */
public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {

    /** Whether a request with these options (maybe none) asked for the usage chunk. */
    public static boolean usage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.includeUsage());
    }
}

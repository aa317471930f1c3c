package dev.folio.api;

import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;

/**
 * One Server-Sent Event as OpenAI and TGI frame it: {@code data: <payload>} with one space after the colon, then a
 * blank line. Spring's {@code SseEmitter.event()} writes {@code data:<payload>}, which the SSE grammar allows but some
 * clients do not: huggingface_hub compares the last line with {@code "data: [DONE]"} exactly.
 */
final class SseFrames {

    private static final String PREFIX = "data: ";
    private static final String END = "\n\n";

    private SseFrames() {}

    /** A data-only event: a string as it is ({@code [DONE]}), anything else as one line of JSON. */
    static Set<DataWithMediaType> data(Object payload) {
        Set<DataWithMediaType> frame = new LinkedHashSet<>(4);
        frame.add(new DataWithMediaType(PREFIX, MediaType.TEXT_PLAIN));
        frame.add(new DataWithMediaType(payload, payload instanceof String ? MediaType.TEXT_PLAIN : MediaType.APPLICATION_JSON));
        frame.add(new DataWithMediaType(END, MediaType.TEXT_PLAIN));
        return frame;
    }
}

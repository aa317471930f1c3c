package dev.folio.api.openai;

import dev.folio.api.ChunkLogprobs;
import java.util.List;

/**
 * How one OpenAI-style route writes what {@link OpenAiRunner} produced, field for field in its own schema: a chunk, the
 * usage chunk, the whole answer. The runner decides everything else, the same for completions and chat.
 */
public interface OpenAiWire {

    /**
     * What every object of one answer shares.
     *
     * @param model {@code <name>:<version>}, the version that answered
     */
    record Envelope(String id, long created, String model) {}

    /**
     * A choice's text: the whole of it, or one streamed chunk.
     *
     * @param index the choice's index in the answer
     * @param prompt the index of the prompt it answers
     * @param logprobs those of exactly this text's generated tokens; null when not asked for
     * @param finishReason OpenAI's ("stop", "length"); null on a chunk that does not end its choice
     */
    record ChoicePart(int index, int prompt, String text, List<ChunkLogprobs.Entry> logprobs, String finishReason) {}

    /** How the answer's id begins ("cmpl-", "chatcmpl-"). */
    String idPrefix();

    /** Text every choice for this prompt begins with (completions' echo); none by default. */
    default String prefix(int prompt) {
        return "";
    }

    /** Called once the request is valid, before anything runs or streams: the last point to refuse it with a 4xx. */
    default void prepare() {}

    /** The chunks that open a choice's stream (chat's role, completions' echoed prompt); none by default. */
    default List<Object> opening(Envelope envelope, int index, int prompt) {
        return List.of();
    }

    /** One chunk of a stream, for one choice. */
    Object chunk(Envelope envelope, ChoicePart part);

    /** The chunk with no choices and the usage, sent last when the client asked for it. */
    Object usageChunk(Envelope envelope, Usage usage);

    /** The whole answer, when not streaming. */
    Object whole(Envelope envelope, List<ChoicePart> choices, Usage usage);
}

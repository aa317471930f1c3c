package dev.folio.api.chat;

import dev.folio.api.ChunkLogprobs;
import dev.folio.api.chat.ChatCompletions.ChatCompletion;
import dev.folio.api.chat.ChatCompletions.ChatCompletionChunk;
import dev.folio.api.chat.ChatCompletions.ChunkChoice;
import dev.folio.api.chat.ChatCompletions.Complete;
import dev.folio.api.chat.ChatCompletions.Delta;
import dev.folio.api.chat.ChatCompletions.Logprob;
import dev.folio.api.chat.ChatCompletions.Logprobs;
import dev.folio.api.chat.ChatCompletions.OutputMessage;
import dev.folio.api.chat.ChatCompletions.TopLogprob;
import dev.folio.api.openai.OpenAiWire;
import dev.folio.api.openai.Usage;
import java.util.List;

/** The Messages API's schemas for what the OpenAI runner produced: a reply, or chat.completion.chunk events opened by the role. */
final class ChatWire implements OpenAiWire {

    private static final String CHUNK = "chat.completion.chunk";

    @Override
    public String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    public List<Object> opening(Envelope envelope, int index, int prompt) {
        return List.of(chunk(envelope, List.of(new ChunkChoice(index, new Delta("assistant", ""), null, null)), null));
    }

    @Override
    public Object chunk(Envelope envelope, ChoicePart part) {
        return chunk(envelope, List.of(new ChunkChoice(part.index(), new Delta("assistant", part.text()), logprobs(part), part.finishReason())), null);
    }

    @Override
    public Object usageChunk(Envelope envelope, Usage usage) {
        return chunk(envelope, List.of(), usage);
    }

    @Override
    public Object whole(Envelope envelope, List<ChoicePart> parts, Usage usage) {
        List<Complete> choices = parts.stream()
                .map(part -> new Complete(part.index(), OutputMessage.assistant(part.text()), logprobs(part), part.finishReason()))
                .toList();
        return new ChatCompletion(envelope.id(), "chat.completion", envelope.created(), envelope.model(), fingerprint(envelope), choices, usage);
    }

    private static ChatCompletionChunk chunk(Envelope envelope, List<ChunkChoice> choices, Usage usage) {
        return new ChatCompletionChunk(envelope.id(), CHUNK, envelope.created(), envelope.model(), fingerprint(envelope), choices, usage);
    }

    /** The system_fingerprint: which model version answered (what changes the replies). */
    private static String fingerprint(Envelope envelope) {
        return "folio-" + envelope.model();
    }

    private static Logprobs logprobs(ChoicePart part) {
        if (part.logprobs() == null) {
            return null;
        }
        return new Logprobs(part.logprobs().stream().map(ChatWire::logprob).toList());
    }

    private static Logprob logprob(ChunkLogprobs.Entry e) {
        return new Logprob(e.token(), e.logprob(), e.alternatives().stream().map(a -> new TopLogprob(a.text(), a.logprob())).toList());
    }
}

package dev.folio.api.chat;

import dev.folio.api.StreamedText;
import dev.folio.api.openai.OpenAiSampling;
import dev.folio.api.TokenStreamer;
import dev.folio.api.chat.ChatCompletions.ChatCompletionChunk;
import dev.folio.api.chat.ChatCompletions.ChunkChoice;
import dev.folio.api.chat.ChatCompletions.Delta;
import dev.folio.api.chat.ChatCompletions.Logprob;
import dev.folio.api.chat.ChatCompletions.Logprobs;
import dev.folio.inference.FinishReason;
import dev.folio.inference.Generation;
import java.util.List;

/**
 * One reply as chat.completion.chunk events: the role first, then the text as it comes (characters that may begin the
 * end of the speech or a stop sequence are held back until they turn out not to), then the finish reason. Each chunk
 * carries the logprobs of exactly the characters it sends.
 */
final class ChatStreamEvents implements TokenStreamer.Events {

    private final String id;
    private final long created;
    private final String model;
    private final int index;
    private final int top;
    private final StreamedText text;

    ChatStreamEvents(String id, long created, String model, int index, List<String> stops, int top) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.index = index;
        this.top = top;
        this.text = new StreamedText(stops, top >= 0);
    }

    @Override
    public List<Object> start() {
        return List.of(chunk(new Delta("assistant", ""), null, null));
    }

    @Override
    public Object token(int position, Generation.GeneratedToken token) {
        StreamedText.Chunk sent = text.offer(token);
        return sent.text().isEmpty() ? null : chunk(new Delta("assistant", sent.text()), logprobs(sent), null);
    }

    @Override
    public List<Object> finish(int position, Generation.GeneratedToken last, Generation g) {
        StreamedText.Chunk sent = text.finish(last, g.finishReason() == FinishReason.STOP_SEQUENCE);
        return List.of(chunk(new Delta("assistant", sent.text()), logprobs(sent), OpenAiSampling.finishReason(g.finishReason())));
    }

    /** The logprobs of exactly the characters a chunk sends; null when not asked. */
    private Logprobs logprobs(StreamedText.Chunk sent) {
        return top < 0 ? null : new Logprobs(sent.tokens().stream().map(t -> Logprob.of(t, top)).toList());
    }

    private ChatCompletionChunk chunk(Delta delta, Logprobs logprobs, String finishReason) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, model, ChatController.fingerprint(model),
                List.of(new ChunkChoice(index, delta, logprobs, finishReason)), null);
    }
}

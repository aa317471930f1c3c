package dev.folio.api.chat;

import dev.folio.api.StopTextFilter;
import dev.folio.api.TokenStreamer;
import dev.folio.api.chat.ChatCompletions.ChatCompletionChunk;
import dev.folio.api.chat.ChatCompletions.ChunkChoice;
import dev.folio.api.chat.ChatCompletions.Delta;
import dev.folio.api.chat.ChatCompletions.Logprob;
import dev.folio.api.chat.ChatCompletions.Logprobs;
import dev.folio.inference.FinishReason;
import dev.folio.inference.Generation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
    private final StopTextFilter filter;
    private final Deque<Generation.GeneratedToken> held = new ArrayDeque<>();

    ChatStreamEvents(String id, long created, String model, int index, List<String> stops, int top) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.index = index;
        this.top = top;
        this.filter = new StopTextFilter(stops);
    }

    @Override
    public List<Object> start() {
        return List.of(chunk(new Delta("assistant", ""), null, null));
    }

    @Override
    public Object token(int position, Generation.GeneratedToken token) {
        String text = offer(token);
        return text.isEmpty() ? null : chunk(new Delta("assistant", text), logprobs(text.length()), null);
    }

    @Override
    public List<Object> finish(int position, Generation.GeneratedToken last, Generation g) {
        String text = last == null ? "" : offer(last);
        text += filter.finish(g.finishReason() == FinishReason.STOP_SEQUENCE);
        return List.of(chunk(new Delta("assistant", text), logprobs(text.length()), ChatCompletions.finishReason(g.finishReason())));
    }

    private String offer(Generation.GeneratedToken token) {
        if (top >= 0) {
            held.addLast(token);
        }
        return filter.offer(token.text());
    }

    /** The logprobs of the next {@code characters} held tokens (a token is a character); null when not asked. */
    private Logprobs logprobs(int characters) {
        if (top < 0) {
            return null;
        }
        List<Logprob> content = new ArrayList<>();
        for (int i = 0; i < characters && !held.isEmpty(); i++) {
            content.add(Logprob.of(held.removeFirst(), top));
        }
        return new Logprobs(content);
    }

    private ChatCompletionChunk chunk(Delta delta, Logprobs logprobs, String finishReason) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, model, ChatController.fingerprint(model),
                List.of(new ChunkChoice(index, delta, logprobs, finishReason)), null);
    }
}

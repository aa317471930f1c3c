package dev.folio.api.openai;

import dev.folio.FolioProperties;
import dev.folio.api.ChunkLogprobs;
import dev.folio.api.ClientConnection;
import dev.folio.api.GenerationService;
import dev.folio.api.GenerationSpec;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.StopTextFilter;
import dev.folio.api.StreamedText;
import dev.folio.api.TokenStreamer;
import dev.folio.api.ValidGeneration;
import dev.folio.api.openai.OpenAiWire.ChoicePart;
import dev.folio.api.openai.OpenAiWire.Envelope;
import dev.folio.inference.FinishReason;
import dev.folio.inference.Generation;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * Runs OpenAI's completions and chat alike: n and best_of (a seeded request's samples take seed, seed + 1, ...), stop
 * sequences kept out of the text, finish reasons, usage, logprobs, whole or streamed. Each route maps its request into an
 * {@link OpenAiJob} and writes the result through its {@link OpenAiWire}; the model version header is set by the one
 * lease validation takes.
 */
@Component
public class OpenAiRunner {

    /** Choices over a list of prompts (prompts × samples) at most; one prompt may always take max-best-of samples. */
    static final int MAX_PROMPTS_TIMES_N = 16;

    private final GenerationService service;
    private final TokenStreamer streamer;
    private final int maxChoices;

    public OpenAiRunner(GenerationService service, TokenStreamer streamer, FolioProperties properties) {
        this.service = service;
        this.streamer = streamer;
        this.maxChoices = Math.max(MAX_PROMPTS_TIMES_N, properties.generation().maxBestOf());
    }

    /** A whole answer before the route writes it. */
    public record Answer(Envelope envelope, List<ChoicePart> choices, Usage usage) {}

    /** Validates the job, runs it and answers in the route's shape: one JSON object, or a stream of chunks ending in [DONE]. */
    public ResponseEntity<ResponseBodyEmitter> answer(OpenAiJob job, OpenAiWire wire, HttpServletRequest http) throws IOException {
        Validated validated = validate(job, wire);
        if (job.stream()) {
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(stream(validated));
        }
        Answer answer = complete(validated, ClientConnection.of(http));
        ResponseBodyEmitter body = new ResponseBodyEmitter();
        body.send(wire.whole(answer.envelope(), answer.choices(), answer.usage()), MediaType.APPLICATION_JSON);
        body.complete();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }

    /** Validates and runs a job that does not stream, to its end. */
    public Answer run(OpenAiJob job, OpenAiWire wire, ClientConnection client) {
        return complete(validate(job, wire), client);
    }

    /** Refuses more choices than a request may ask for: n per prompt within max-best-of, and prompts × n within the bound. */
    public void checkChoices(int prompts, int n) {
        service.checkSamples(n, "n");
        if (prompts == 0 || prompts * n > maxChoices) {
            throw new InvalidRequestException("prompt must have 1 to " + maxChoices / n + " entries for n = " + n, "prompt");
        }
    }

    /** A job validated into its samples, every one on the one version the first lease holds. */
    private record Validated(OpenAiJob job, OpenAiWire wire, List<ValidGeneration> samples, int perPrompt, Envelope envelope,
            List<String> stops) {}

    private Validated validate(OpenAiJob job, OpenAiWire wire) {
        checkChoices(job.prompts().size(), job.n());
        int perPrompt = samplesPerPrompt(job);
        List<ValidGeneration> samples = new ArrayList<>();
        try {
            for (GenerationSpec.PromptSource prompt : job.prompts()) {
                samples.addAll(service.validate(job.spec(prompt)).samples(perPrompt));
            }
            wire.prepare();
        } catch (RuntimeException e) {
            samples.forEach(ValidGeneration::close);
            throw e;
        }
        ValidGeneration first = samples.get(0);
        Envelope envelope = new Envelope(wire.idPrefix() + UUID.randomUUID().toString().replace("-", ""), System.currentTimeMillis() / 1000,
                first.modelName() + ":" + first.version());
        return new Validated(job, wire, samples, perPrompt, envelope, first.sampling().stop()); // a chat template's end of speech, then the client's
    }

    /** best_of's samples per prompt (n without it); more than n only without streaming and with sampling. */
    private int samplesPerPrompt(OpenAiJob job) {
        int n = job.n();
        if (job.bestOf() == null) {
            return n;
        }
        int bestOf = job.bestOf();
        if (bestOf < n) {
            throw new InvalidRequestException("best_of must be at least n (" + n + "); given: " + bestOf, "best_of");
        }
        service.checkSamples(bestOf, "best_of");
        int prompts = job.prompts().size();
        if (prompts * bestOf > maxChoices) {
            throw new InvalidRequestException("best_of must be at most " + maxChoices / prompts + " for " + prompts + " prompt(s); given: "
                    + bestOf, "best_of");
        }
        if (bestOf > n && job.stream()) {
            throw new InvalidRequestException("best_of > n cannot stream: the best samples are known only at the end", "best_of");
        }
        if (bestOf > n && job.sampling().greedy()) {
            throw new InvalidRequestException("best_of > n needs sampling: greedy samples would all be the same", "best_of");
        }
        return bestOf;
    }

    private Answer complete(Validated v, ClientConnection client) {
        int n = v.job().n();
        List<Generation> generations = best(service.runTogether(v.samples(), client), v.perPrompt(), n);
        List<ChoicePart> choices = new ArrayList<>();
        for (int i = 0; i < generations.size(); i++) {
            choices.add(whole(v, i, i / n, generations.get(i)));
        }
        return new Answer(v.envelope(), choices, Usage.of(generations, n));
    }

    /** A finished choice: its text without the stop sequence that ended it, and the logprobs of exactly that text. */
    private static ChoicePart whole(Validated v, int index, int prompt, Generation g) {
        String prefix = v.wire().prefix(prompt);
        String text = StopTextFilter.strip(g.generatedText(), g.finishReason() == FinishReason.STOP_SEQUENCE ? v.stops() : List.of());
        int top = v.job().logprobs();
        List<ChunkLogprobs.Entry> logprobs = top < 0 ? null
                : new ChunkLogprobs(top, prefix.length()).next(g.tokens().subList(0, Math.min(text.length(), g.tokens().size()))); // a token per character
        return new ChoicePart(index, prompt, prefix + text, logprobs, OpenAiSampling.finishReason(g.finishReason()));
    }

    /** Of each prompt's samples, the n with the highest mean logprob per token (OpenAI's best_of), best first. */
    private static List<Generation> best(List<Generation> all, int samples, int n) {
        if (samples == n) {
            return all;
        }
        List<Generation> chosen = new ArrayList<>();
        for (int from = 0; from < all.size(); from += samples) {
            all.subList(from, from + samples).stream()
                    .sorted(Comparator.comparingDouble(OpenAiRunner::meanLogprob).reversed())
                    .limit(n)
                    .forEach(chosen::add);
        }
        return chosen;
    }

    private static double meanLogprob(Generation g) {
        return g.tokens().stream().mapToDouble(Generation.GeneratedToken::logprob).average().orElse(0);
    }

    /** The choices one after another in one stream, then the usage chunk when asked, then [DONE]. */
    private ResponseBodyEmitter stream(Validated v) {
        int n = v.job().n();
        return streamer.stream(v.samples(), index -> new ChoiceStream(v.wire(), v.envelope(), index, index / n, v.stops(), v.job().logprobs()),
                generations -> v.job().includeUsage()
                        ? List.of(v.wire().usageChunk(v.envelope(), Usage.of(generations, n)), "[DONE]")
                        : List.of("[DONE]"));
    }

    /**
     * One choice as chunks: its opening, then its text as it becomes safe to send (characters that may begin a stop
     * sequence wait until they turn out not to), then its finish reason; each chunk with the logprobs of exactly its text.
     */
    static final class ChoiceStream implements TokenStreamer.Events {
        private final OpenAiWire wire;
        private final Envelope envelope;
        private final int index;
        private final int prompt;
        private final StreamedText text;
        private final ChunkLogprobs logprobs;

        ChoiceStream(OpenAiWire wire, Envelope envelope, int index, int prompt, List<String> stops, int top) {
            this.wire = wire;
            this.envelope = envelope;
            this.index = index;
            this.prompt = prompt;
            this.text = new StreamedText(stops, top >= 0);
            this.logprobs = top < 0 ? null : new ChunkLogprobs(top, wire.prefix(prompt).length());
        }

        @Override
        public List<Object> start() {
            return wire.opening(envelope, index, prompt);
        }

        @Override
        public Object token(int position, Generation.GeneratedToken token) {
            StreamedText.Chunk sent = text.offer(token);
            return sent.text().isEmpty() ? null : wire.chunk(envelope, part(sent, null));
        }

        @Override
        public List<Object> finish(int position, Generation.GeneratedToken last, Generation generation) {
            StreamedText.Chunk sent = text.finish(last, generation.finishReason() == FinishReason.STOP_SEQUENCE);
            return List.of(wire.chunk(envelope, part(sent, OpenAiSampling.finishReason(generation.finishReason()))));
        }

        private ChoicePart part(StreamedText.Chunk sent, String finishReason) {
            return new ChoicePart(index, prompt, sent.text(), logprobs == null ? null : logprobs.next(sent.tokens()), finishReason);
        }
    }
}

package dev.folio.api;

import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationCancelledException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Streams a generation as Server-Sent Events from a generation thread: one data-only event per token, framed
 * {@code data: <json>} as OpenAI and TGI frame theirs ({@link SseFrames}),
 * sent as soon as it is produced. A client that goes away makes the next send fail, which cancels the
 * generation before its next decoding step. An error after the stream began is one event, then the end.
 */
@Component
public class TokenStreamer {

    private static final Logger log = LoggerFactory.getLogger(TokenStreamer.class);
    private static final long TIMEOUT_MILLIS = 10 * 60 * 1000L;

    private final GenerationService service;
    private final ExecutorService executor;
    private final RouteProtocols protocols;

    public TokenStreamer(GenerationService service, ExecutorService generationExecutor, RouteProtocols protocols) {
        this.service = service;
        this.executor = generationExecutor;
        this.protocols = protocols;
    }

    /** What to send for each token and after the last. */
    public interface Events {
        /** The events that open one generation's part of the stream (OpenAI chat's role chunk); none by default. */
        default List<Object> start() {
            return List.of();
        }

        /** The event for a token that is not known to be the last; null sends nothing (yet). */
        Object token(int index, Generation.GeneratedToken token);

        /** The events that close the stream, given the last token (null if none) and the finished generation. */
        List<Object> finish(int index, Generation.GeneratedToken last, Generation generation);
    }

    /** Streams one generation. */
    public SseEmitter stream(ValidGeneration job, Events events) {
        return stream(List.of(job), i -> events, generations -> List.of());
    }

    /**
     * Streams several generations one after another in one stream (OpenAI's n and prompt lists),
     * then the closing events, given every finished generation ({@code data: [DONE]} for OpenAI, after the usage chunk
     * when asked).
     */
    public SseEmitter stream(List<ValidGeneration> jobs, IntFunction<Events> eventsForJob, Function<List<Generation>, List<Object>> closing) {
        ConcurrencyLimiter.Permit permit;
        try {
            permit = service.admit(); // 429 here, before any byte of the stream
        } catch (RuntimeException e) {
            jobs.forEach(ValidGeneration::close);
            throw e;
        }
        // read on the request's thread: the stream's error event is in the protocol of the route that started it
        ErrorRenderer errors = protocols.errors(((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getRequest());
        SseEmitter emitter = new SseEmitter(TIMEOUT_MILLIS);
        AtomicBoolean gone = new AtomicBoolean();
        emitter.onCompletion(() -> gone.set(true));
        emitter.onTimeout(() -> gone.set(true));
        emitter.onError(e -> gone.set(true));
        try {
            executor.execute(() -> run(jobs, eventsForJob, closing, errors, emitter, gone, permit));
        } catch (RuntimeException e) {
            permit.close();
            jobs.forEach(ValidGeneration::close);
            throw e;
        }
        return emitter;
    }

    private void run(List<ValidGeneration> jobs, IntFunction<Events> eventsForJob, Function<List<Generation>, List<Object>> closing,
            ErrorRenderer errors, SseEmitter emitter, AtomicBoolean gone, ConcurrencyLimiter.Permit permit) {
        try (permit; Closer ignored = () -> jobs.forEach(ValidGeneration::close)) { // jobs a failure left unrun let their version go
            List<Generation> generations = new ArrayList<>();
            for (int j = 0; j < jobs.size(); j++) {
                generations.add(streamOne(jobs.get(j), eventsForJob.apply(j), emitter, gone));
            }
            for (Object event : closing.apply(generations)) {
                send(emitter, event, gone);
            }
            complete(emitter);
        } catch (GenerationCancelledException e) {
            log.debug("stream cancelled: {}", e.getMessage());
            complete(emitter);
        } catch (ApiException e) {
            sendError(emitter, errors.streamEvent(e.error()), gone);
        } catch (RuntimeException e) {
            if (gone.get()) { // whatever failed after the client left concerns nobody: no stack trace per abandoned stream
                log.debug("stream ended after its client left: {}", e.toString());
                complete(emitter);
                return;
            }
            log.error("generation failed mid-stream", e);
            sendError(emitter, errors.streamEvent(ApiError.of(ErrorKind.GENERATION, "Request failed during generation", null)), gone);
        }
    }

    /** Closes without a checked exception, for try-with-resources. */
    private interface Closer extends AutoCloseable {
        @Override
        void close();
    }

    private Generation streamOne(ValidGeneration job, Events events, SseEmitter emitter, AtomicBoolean gone) {
        for (Object event : events.start()) {
            send(emitter, event, gone);
        }
        // Every token goes out as it comes but the last: TGI's last event carries the whole generation,
        // so it waits for the result (which follows the last token at once).
        Generation.GeneratedToken[] last = {null};
        int[] index = {0};
        Generation generation = service.runAdmitted(job, (token, isLast) -> {
            if (isLast) {
                last[0] = token;
            } else {
                send(emitter, events.token(index[0]++, token), gone);
            }
        }, gone::get);
        for (Object event : events.finish(index[0], last[0], generation)) {
            send(emitter, event, gone);
        }
        return generation;
    }

    private static void sendError(SseEmitter emitter, Object event, AtomicBoolean gone) {
        send(emitter, event, gone);
        complete(emitter);
    }

    /**
     * Ends the stream. After its client left, the request may already be finished and recycled by the server, and
     * completing it then throws IllegalStateException: nothing is left to end, and nothing may escape into the pool.
     */
    private static void complete(SseEmitter emitter) {
        try {
            emitter.complete();
        } catch (IllegalStateException e) {
            log.debug("stream already ended: {}", e.getMessage());
        }
    }

    private static void send(SseEmitter emitter, Object event, AtomicBoolean gone) {
        if (event == null || gone.get()) {
            return;
        }
        try {
            emitter.send(SseFrames.data(event));
        } catch (IOException | IllegalStateException e) {
            gone.set(true); // the client went away: the generator stops before its next step
        }
    }
}

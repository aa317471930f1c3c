package dev.folio.inference;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.BiConsumer;

/**
 * Carries tokens from the scheduler's thread to the request's own thread, so a slow client (a full
 * socket buffer) blocks only its request, never the batch everyone decodes in.
 */
public final class TokenRelay implements GenerationListener {

    private static final Object END = new Object();

    private record Relayed(Generation.GeneratedToken token, boolean last) {}

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final BooleanSupplier callerGone;
    private volatile boolean interrupted;

    public TokenRelay(BooleanSupplier callerGone) {
        this.callerGone = callerGone;
    }

    @Override
    public void onToken(Generation.GeneratedToken token, boolean last) {
        queue.add(new Relayed(token, last));
    }

    @Override
    public boolean cancelled() {
        return interrupted || callerGone.getAsBoolean();
    }

    /**
     * Hands each token (and whether it is the last) to {@code consumer} on the calling thread as it
     * arrives, until the generation ends.
     *
     * @return the finished generation
     * @throws GenerationCancelledException when it was cancelled; any other failure as it was thrown
     */
    public Generation deliver(CompletableFuture<Generation> result, BiConsumer<Generation.GeneratedToken, Boolean> consumer) {
        result.whenComplete((generation, error) -> queue.add(END));
        while (true) {
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                interrupted = true; // the scheduler drops the sequence before its next step; wait for that
                continue;
            }
            if (item == END) {
                break;
            }
            Relayed relayed = (Relayed) item;
            consumer.accept(relayed.token(), relayed.last());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return DecodeScheduler.await(result);
    }
}

package dev.folio.api.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.api.InvalidRequestException;
import dev.folio.inference.ConcurrencyLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class InspectionPoolTest {

    private static InspectProperties limits(int threads, int queued, Duration workTime) {
        return new InspectProperties(threads, queued, 256, 16 << 20, 65536, 10, 8, 64, 256, workTime, 2);
    }

    @Test
    void aFullPoolRefusesAtOnce() throws Exception {
        try (InspectionPool pool = new InspectionPool(limits(1, 1, Duration.ofMinutes(1)))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> pool.run(() -> {
                started.countDown();
                await(release);
                return "first";
            }));
            started.await();
            CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> pool.run(() -> "second"));
            while (pool.queued() < 1) { // until the second waits for the one thread
                Thread.onSpinWait();
            }
            assertThatThrownBy(() -> pool.run(() -> "third")).isInstanceOf(ConcurrencyLimiter.OverloadedException.class)
                    .hasMessageContaining("inspections are already waiting");
            release.countDown();
            assertThat(running.get()).isEqualTo("first");
            assertThat(waiting.get()).isEqualTo("second");
        }
    }

    @Test
    void anInspectionOverItsProcessorTimeIsStoppedAndRefused() {
        try (InspectionPool pool = new InspectionPool(limits(1, 1, Duration.ofMillis(1)))) {
            assertThatThrownBy(() -> pool.run(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait(); // spends processor time until the budget's alarm interrupts it
                }
                return "never answered";
            })).isInstanceOf(InvalidRequestException.class).hasMessageContaining("max-work-time");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

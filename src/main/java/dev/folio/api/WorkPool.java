package dev.folio.api;

import dev.folio.inference.ConcurrencyLimiter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A fixed set of threads with a bounded queue, for request work that is expensive before any generation starts
 * (compiling a grammar, rendering a chat template). The work is admitted before it runs: beyond the queue it is
 * refused at once with a 429, never queued to hang, and it never takes more cores than the pool has threads, so the
 * decode scheduler keeps its own. A task may be given a time budget: when it runs out, the task's future completes
 * with the over-budget answer and its thread is interrupted (the work checks {@link Thread#interrupted()} and stops).
 */
public final class WorkPool implements AutoCloseable {

    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService alarms;
    private final String busy;

    /**
     * @param name the threads' name prefix
     * @param threads threads that run the work
     * @param queued tasks that may wait for a thread
     * @param busy what the 429 says, e.g. "grammars are already waiting to compile"
     */
    public WorkPool(String name, int threads, int queued, String busy) {
        if (threads < 1 || queued < 1) {
            throw new IllegalArgumentException(name + ": threads and queue must be at least 1");
        }
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued), r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.alarms = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-budget");
            t.setDaemon(true);
            return t;
        });
        this.busy = queued + " " + busy;
    }

    /**
     * Runs {@code work} on a pool thread.
     *
     * @throws ConcurrencyLimiter.OverloadedException if every thread is busy and the queue is full
     */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        return submit(work, null, null);
    }

    /**
     * Runs {@code work} on a pool thread for at most {@code budget} of processor time from when it starts (time in the
     * queue and waits for a core are not counted, so the verdict is the work's own); past it, the future completes with {@code overBudget.get()} and the
     * thread is interrupted.
     *
     * @throws ConcurrencyLimiter.OverloadedException if every thread is busy and the queue is full
     */
    public <T> CompletableFuture<T> submit(Supplier<T> work, Duration budget, Supplier<T> overBudget) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> run(work, budget, overBudget, result));
        } catch (RejectedExecutionException e) {
            throw new ConcurrencyLimiter.OverloadedException("Model is overloaded: " + busy + "; retry shortly");
        }
        return result;
    }

    private <T> void run(Supplier<T> work, Duration budget, Supplier<T> overBudget, CompletableFuture<T> result) {
        if (result.isDone()) {
            return; // answered (cancelled: nobody waits for it any more) while it queued
        }
        Running running = new Running(Thread.currentThread());
        if (budget != null) {
            running.watch(alarms, budget.toNanos(), () -> result.complete(overBudget.get()));
        }
        try {
            result.complete(work.get());
        } catch (Throwable e) {
            result.completeExceptionally(e);
        } finally {
            running.finish();
        }
    }

    /** As {@link #await(CompletableFuture)}, waiting at most {@code maxWait}. */
    public static <T> T await(CompletableFuture<T> future, Duration maxWait) throws TimeoutException {
        try {
            return future.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for work to finish", e);
        } catch (ExecutionException e) {
            throw unwrapped(e);
        }
    }

    /** The caller's view: the result, or the work's own exception. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new IllegalStateException("interrupted while waiting for work to finish", e);
        } catch (ExecutionException e) {
            throw unwrapped(e);
        }
    }

    private static RuntimeException unwrapped(ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
            return runtime;
        }
        if (e.getCause() instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e.getCause());
    }

    /** Tasks waiting for a thread, for tests and metrics. */
    public int queued() {
        return executor.getQueue().size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        alarms.shutdownNow();
    }

    /**
     * A task on its thread. Its budget is the processor time the thread spends on it, read where the JVM measures it:
     * wall time would also count a loaded machine's waits and refuse ordinary work whenever the cores are busy. The
     * alarm rings when the whole budget could have been spent, and again for what is left until it has been; then the
     * task is answered over budget and its thread interrupted, only while this task still runs on it.
     */
    private static final class Running {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final boolean CPU_TIME = THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

        private final Thread thread;
        private final long startCpu;
        private final long startWall = System.nanoTime();
        private boolean done;
        private ScheduledFuture<?> alarm;

        Running(Thread thread) {
            this.thread = thread;
            this.startCpu = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : 0;
        }

        synchronized void watch(ScheduledExecutorService alarms, long budgetNanos, BooleanSupplier answerOverBudget) {
            if (done) {
                return;
            }
            long spent = CPU_TIME ? THREADS.getThreadCpuTime(thread.getId()) - startCpu : System.nanoTime() - startWall;
            if (spent < budgetNanos && spent >= 0) {
                long left = budgetNanos - spent;
                alarm = alarms.schedule(() -> watch(alarms, budgetNanos, answerOverBudget), Math.max(left, 1_000_000L), TimeUnit.NANOSECONDS);
                return;
            }
            if (answerOverBudget.getAsBoolean()) {
                thread.interrupt();
            }
        }

        synchronized void finish() {
            done = true;
            if (alarm != null) {
                alarm.cancel(false);
            }
            Thread.interrupted(); // an alarm that rang as the task ended must not reach the pool's next task
        }
    }
}

package dev.folio.chat;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * One render's allowance of loop iterations (across all loops, nested or not) and time. Jinjava bounds each
 * {@code range()} but not their product, nor a render's duration, so {@link BudgetedForTag} and the node
 * pre-processor spend from the budget of the render running on their thread. Once spent, every loop stops and
 * every node refuses to render: the rest of the template costs at most one step per node.
 */
final class RenderBudget {

    /** Jinjava renders on the caller's thread and keeps its own interpreter per thread the same way. */
    private static final ThreadLocal<RenderBudget> CURRENT = new ThreadLocal<>();

    private final TemplateLimits limits;
    private final long deadline;
    private long iterations;
    private String exceeded;

    private RenderBudget(TemplateLimits limits) {
        this.limits = limits;
        this.deadline = RenderClock.now() + limits.maxRenderTime().toNanos();
    }

    /** Runs {@code render} with a fresh budget for this thread; the budget, spent or not, is returned with the result. */
    static <T> Spent<T> run(TemplateLimits limits, Supplier<T> render) {
        RenderBudget budget = new RenderBudget(limits);
        RenderBudget outer = CURRENT.get();
        CURRENT.set(budget);
        try {
            return new Spent<>(render.get(), budget.problem());
        } finally {
            CURRENT.set(outer);
        }
    }

    /** The budget of the render on this thread; null outside a render (parsing, checks). */
    static RenderBudget current() {
        return CURRENT.get();
    }

    /** Spends one loop iteration; false once the budget is spent (and ever after). */
    boolean iterate() {
        if (exceeded != null) {
            return false;
        }
        if (++iterations > limits.maxLoopIterations()) {
            exceeded = "its loops ran more than " + limits.maxLoopIterations()
                    + " iterations in all (the loop budget, folio.chat.max-loop-iterations)";
            return false;
        }
        return inTime();
    }

    /** Called before each node renders. */
    void checkNode() {
        if (exceeded != null || !inTime()) {
            throw new Exceeded(exceeded);
        }
    }

    TemplateLimits limits() {
        return limits;
    }

    /** Spends the whole budget: {@code problem} is what the render is refused for. */
    Exceeded exceed(String problem) {
        if (exceeded == null) {
            exceeded = problem;
        }
        return new Exceeded(exceeded);
    }

    Optional<String> problem() {
        return Optional.ofNullable(exceeded);
    }

    private boolean inTime() {
        // interrupted: whoever runs the render has given up on it
        if (RenderClock.now() - deadline > 0 || Thread.currentThread().isInterrupted()) {
            exceeded = "rendering took more than " + limits.maxRenderTime().toMillis()
                    + " ms of processor time (the render time limit, folio.chat.max-render-time)";
            return false;
        }
        return true;
    }

    /** @param problem what bound the render crossed, if any */
    record Spent<T>(T result, Optional<String> problem) {}

    /** Stops the node about to render; Jinjava records it as an error, which the budget's problem replaces. */
    static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message, null, false, false);
        }
    }
}

package dev.folio.chat;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on rendering one chat template: Jinjava's own size limits plus a loop budget and a render time,
 * which Jinjava 2.8.2 does not have. Over any of them, rendering stops and the template is refused, naming
 * the bound.
 *
 * @param maxLoopIterations loop iterations one render may run, summed over every {@code for}, nested or not
 * @param maxRenderTime processor time one render may take (checked at every node and loop iteration)
 * @param maxStringLength the longest string an expression may build ({@code ~}, {@code +}, {@code join}, ...)
 * @param maxOutputBytes the largest rendered prompt, in UTF-8 bytes
 */
public record TemplateLimits(long maxLoopIterations, Duration maxRenderTime, long maxStringLength, long maxOutputBytes) {

    /** What a render gets unless configured otherwise: far above any real chat template's needs. */
    public static final TemplateLimits DEFAULT = new TemplateLimits(100_000, Duration.ofMillis(500), 100_000, 1_000_000);

    public TemplateLimits {
        Objects.requireNonNull(maxRenderTime, "maxRenderTime");
        if (maxLoopIterations < 1 || maxStringLength < 1 || maxOutputBytes < 1 || maxRenderTime.isNegative() || maxRenderTime.isZero()) {
            throw new IllegalArgumentException("template limits must be positive: " + this);
        }
    }
}

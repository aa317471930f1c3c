package dev.folio.inference;

import dev.folio.model.GptConfig;
import dev.folio.model.SlotKvCache;

/**
 * The bytes of attention keys and values each served model's decoding batch may hold. The scheduler admits a request
 * only when its batch's cache, grown for every admitted request at its longest, fits ({@link DecodeBatch#admits}).
 *
 * @param bytesPerModel the budget of each model's batch
 */
public record KvBudget(long bytesPerModel) {

    /** No budget: the batch size alone bounds the cache (tests and benchmarks that measure something else). */
    public static final KvBudget UNLIMITED = new KvBudget(Long.MAX_VALUE);

    public KvBudget {
        if (bytesPerModel < 1) {
            throw new IllegalArgumentException("the KV memory budget must be positive; given " + bytesPerModel);
        }
    }

    /**
     * The configured budget, or else {@code fraction} of the memory the process may use: the machine's, or the
     * container's limit where one is set (the JVM reads cgroups).
     */
    public static KvBudget of(Long configuredBytes, double fraction) {
        if (configuredBytes != null) {
            return new KvBudget(configuredBytes);
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("folio.generation.kv-memory-fraction must be in (0, 1]; given " + fraction);
        }
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return new KvBudget(Math.max(1, (long) (total * fraction)));
    }

    /** Whether one request of {@code positions} cache positions fits the budget alone (else it can never run). */
    public boolean fitsAlone(GptConfig config, int positions) {
        return SlotKvCache.bytes(config, 1, positions) <= bytesPerModel;
    }

    /** Why a request of {@code positions} positions is refused, and what would fit. */
    public String refusal(GptConfig config, int positions) {
        long perPosition = SlotKvCache.bytesPerPosition(config);
        return "the prompt and max_new_tokens need " + positions + " positions of KV memory (" + SlotKvCache.bytes(config, 1, positions)
                + " bytes); this model's budget (folio.generation.kv-memory-budget) holds " + bytesPerModel / perPosition
                + ": ask for fewer new tokens or send a shorter prompt";
    }

    /** Cache positions a request may use: its prompt and every new token, within the window (past it, it shifts). */
    public static int positionsNeeded(GptConfig config, int promptLength, int maxNewTokens) {
        return DecodingSequence.positionsNeeded(promptLength, maxNewTokens, config.blockSize());
    }
}

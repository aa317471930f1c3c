package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.grammar.GrammarException;
import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Compiles a request's grammar against the model's vocabulary, within Folio's bounds:
 * <ul>
 *   <li>on a small pool of its own ({@code folio.generation.grammar-threads}, one by default, so the decode scheduler
 *       keeps the other core), admitted before it runs: with the queue full, 429 at once;</li>
 *   <li>for at most {@code folio.generation.grammar-compile-timeout}; past it the compile is stopped and refused;</li>
 *   <li>in memory bounded by the automaton caps ({@link GrammarLimits}), one compile per thread at a time;</li>
 *   <li>remembered, refusals as well as grammars, and compiled once however many requests ask for it at once.</li>
 * </ul>
 */
@Component
public class Grammars {

    private static final Duration MIN_WAIT = Duration.ofSeconds(5);

    private final GrammarLimits limits;
    private final WorkPool pool;
    private final GrammarCache cache;
    /** How long a request waits for its grammar, queue and compile together: five compile budgets, and 5 s at least. */
    private final Duration maxWait;

    public Grammars(FolioProperties properties) {
        FolioProperties.Generation generation = properties.generation();
        this.limits = new GrammarLimits(generation.maxGrammarLength(), generation.maxGrammarStates());
        this.pool = new WorkPool("grammar-compile", generation.grammarThreads(), generation.maxQueuedGrammars(),
                "grammars are already waiting to compile");
        Duration timeout = generation.grammarCompileTimeout();
        // at least 5 s: the budget counts the compile's processor time, which a loaded machine gives out slower than the wall clock
        this.maxWait = timeout.multipliedBy(5).compareTo(MIN_WAIT) < 0 ? MIN_WAIT : timeout.multipliedBy(5);
        GrammarCache.Outcome overTime = GrammarCache.Outcome.refused("grammar too complex: compiling it takes longer than "
                + timeout.toMillis() + " ms (folio.generation.grammar-compile-timeout)");
        this.cache = new GrammarCache(generation.grammarCacheSize(), key -> pool.submit(() -> compileNow(key, limits), timeout, () -> overTime));
    }

    public GrammarLimits limits() {
        return limits;
    }

    /** The cache: how many compiles it started, for tests and metrics. */
    public GrammarCache cache() {
        return cache;
    }

    /** @throws InvalidRequestException naming the grammar's field when it cannot be used with this vocabulary */
    public TokenGrammar compile(GenerationSpec.GrammarRequest grammar, String vocabulary) {
        switch (grammar.type()) {
            case "regex", "json_schema", "json_object" -> { }
            default -> throw new InvalidRequestException(grammar.field() + ".type must be regex, json or json_schema; given: '"
                    + grammar.type() + "'", grammar.field() + ".type");
        }
        GrammarCache.Outcome outcome = cache.await(new GrammarCache.Key(grammar.type(), grammar.value(), vocabulary), maxWait);
        if (outcome.refusal() != null) {
            throw new InvalidRequestException(grammar.field() + ": " + outcome.refusal(), grammar.field());
        }
        return outcome.grammar();
    }

    /** Compiles on this thread (a pool thread): a verdict either way. */
    static GrammarCache.Outcome compileNow(GrammarCache.Key key, GrammarLimits limits) {
        try {
            return GrammarCache.Outcome.compiled(switch (key.type()) {
                case "regex" -> TokenGrammar.regex(key.value(), key.vocabulary(), limits);
                case "json_schema" -> TokenGrammar.jsonSchema(key.value(), key.vocabulary(), limits);
                default -> TokenGrammar.anyJsonObject(key.vocabulary(), limits);
            });
        } catch (GrammarException e) {
            return GrammarCache.Outcome.refused(e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        pool.close();
    }
}

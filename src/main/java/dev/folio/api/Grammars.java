package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.grammar.GrammarException;
import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Compiles a request's grammar against the model's vocabulary, within Folio's bounds, and keeps the most recent ones: a
 * client that sends the same schema with every request compiles it once, and n samples of one request share it.
 */
@Component
public class Grammars {

    private static final int CACHED = 64;

    private final GrammarLimits limits;
    private final Map<String, TokenGrammar> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenGrammar> eldest) {
            return size() > CACHED;
        }
    };

    public Grammars(FolioProperties properties) {
        this.limits = new GrammarLimits(properties.generation().maxGrammarLength(), properties.generation().maxGrammarStates());
    }

    public GrammarLimits limits() {
        return limits;
    }

    /** @throws InvalidRequestException naming the grammar's field when it cannot be used with this vocabulary */
    public TokenGrammar compile(GenerationSpec.GrammarRequest grammar, String vocabulary) {
        String key = grammar.type() + "\u0000" + vocabulary + "\u0000" + grammar.value();
        synchronized (recent) {
            TokenGrammar cached = recent.get(key);
            if (cached != null) {
                return cached;
            }
        }
        TokenGrammar compiled;
        try {
            compiled = switch (grammar.type()) {
                case "regex" -> TokenGrammar.regex(grammar.value(), vocabulary, limits);
                case "json_schema" -> TokenGrammar.jsonSchema(grammar.value(), vocabulary, limits);
                case "json_object" -> TokenGrammar.anyJsonObject(vocabulary, limits);
                default -> throw new InvalidRequestException(grammar.field() + ".type must be regex, json or json_schema; given: '"
                        + grammar.type() + "'", grammar.field() + ".type");
            };
        } catch (GrammarException e) {
            throw new InvalidRequestException(grammar.field() + ": " + e.getMessage(), grammar.field());
        }
        synchronized (recent) {
            recent.put(key, compiled);
        }
        return compiled;
    }
}

package dev.folio.api.openai;

import dev.folio.FolioProperties;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelVersionHeader;
import dev.folio.api.ScoringBudget;
import dev.folio.api.openai.Completions.Logprobs;
import dev.folio.inference.DecodingRules;
import dev.folio.inference.ScoringPool;
import dev.folio.inference.TextScorer;
import dev.folio.inference.TokenSampler;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelRegistry;
import dev.folio.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * A prompt's own logprobs in OpenAI's legacy shape, for {@code echo}: scored exactly as {@code /logits} scores a text (the
 * same scorer, sliding window past the context), on the bounded scoring pool.
 */
@Component
public class PromptScoring {

    private final ScoringPool pool;
    private final TextScorer scorer = new TextScorer();
    private final int maxInputLength;

    private final ScoringBudget budget;

    public PromptScoring(ScoringPool pool, FolioProperties properties, ScoringBudget budget) {
        this.pool = pool;
        this.budget = budget;
        this.maxInputLength = properties.generation().maxInputLength();
    }

    /**
     * @param logprobs the prompt's tokens, their logprobs (the first null: nothing precedes it) and alternatives, offsets from 0
     * @param tokens how many tokens the prompt has
     * @param modelVersion the version that scored it
     */
    public record Scored(Logprobs logprobs, int tokens, String modelVersion) {}

    /**
     * Scores each prompt, after checking the answer's size: {@code copies} choices repeat each prompt's logprobs.
     *
     * @throws InvalidRequestException (422) before any scoring when the answer would pass the scoring budget
     */
    public List<Scored> score(ModelRegistry registry, List<String> prompts, int top, int copies) {
        long tokens = prompts.stream().mapToLong(String::length).sum(); // one token per character (at most)
        long perToken = ScoringBudget.LOGPROBS_TOKEN_BYTES + (long) top * ScoringBudget.LOGPROBS_ALTERNATIVE_BYTES;
        budget.check(tokens * copies * perToken, tokens + " prompt token(s) x " + copies + " choice(s) x (1 + " + top + " alternatives)",
                "prompt", "send fewer or shorter prompts per request, a smaller logprobs, or n: 1");
        try (ModelRegistry.Lease lease = ModelVersionHeader.lease(registry)) {
            LoadedModel model = lease.model();
            List<Scored> scored = new ArrayList<>();
            for (String prompt : prompts) {
                int[] ids = encode(model.tokenizer(), prompt);
                TextScorer.Scores scores = pool.run(() -> scorer.score(model, ids));
                scored.add(new Scored(logprobs(model.tokenizer(), ids, scores, top), ids.length, model.version()));
            }
            return scored;
        }
    }

    private int[] encode(CharTokenizer tokenizer, String prompt) {
        if (prompt.isEmpty() || prompt.length() > maxInputLength) {
            throw new InvalidRequestException("prompt must have 1 to " + maxInputLength + " characters; given: " + prompt.length(), "prompt");
        }
        return InvalidRequestException.whenRefused("prompt", "prompt: ", () -> tokenizer.encode(prompt));
    }

    private static Logprobs logprobs(CharTokenizer tokenizer, int[] ids, TextScorer.Scores scores, int top) {
        List<String> tokens = new ArrayList<>();
        List<Float> tokenLogprobs = new ArrayList<>();
        List<Map<String, Float>> topLogprobs = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (int p = 0; p < ids.length; p++) {
            tokens.add(tokenizer.decode(ids[p]));
            offsets.add(p); // one character per token
            if (p == 0) {
                tokenLogprobs.add(null);
                topLogprobs.add(null);
                continue;
            }
            float[] before = scores.logits()[p - 1]; // what the model predicted for position p
            tokenLogprobs.add(TokenSampler.logSoftmax(before)[ids[p]]);
            Map<String, Float> alternatives = new LinkedHashMap<>();
            DecodingRules.topTokens(tokenizer, before, top).forEach(t -> alternatives.put(t.text(), t.logprob()));
            topLogprobs.add(alternatives);
        }
        return new Logprobs(tokens, tokenLogprobs, topLogprobs, offsets);
    }

    /** The prompt's logprobs followed by the completion's (whose offsets already count the prompt). */
    static Logprobs concat(Logprobs prompt, Logprobs completion) {
        if (completion == null) {
            return prompt;
        }
        List<String> tokens = new ArrayList<>(prompt.tokens());
        tokens.addAll(completion.tokens());
        List<Float> values = new ArrayList<>(prompt.tokenLogprobs());
        values.addAll(completion.tokenLogprobs());
        List<Map<String, Float>> top = new ArrayList<>(prompt.topLogprobs());
        top.addAll(completion.topLogprobs());
        List<Integer> offsets = new ArrayList<>(prompt.textOffset());
        offsets.addAll(completion.textOffset());
        return new Logprobs(tokens, values, top, offsets);
    }
}

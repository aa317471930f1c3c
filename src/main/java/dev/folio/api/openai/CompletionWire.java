package dev.folio.api.openai;

import dev.folio.api.ChunkLogprobs;
import dev.folio.api.openai.Completions.Choice;
import dev.folio.api.openai.Completions.Completion;
import dev.folio.api.openai.Completions.Logprobs;
import dev.folio.store.ModelRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's completions schema for what {@link OpenAiRunner} produced. With echo, each choice begins with its prompt, and
 * with logprobs also with the prompt's own logprobs, scored as /logits scores a text before anything runs.
 */
final class CompletionWire implements OpenAiWire {

    private static final String OBJECT = "text_completion";

    private final List<String> prompts;
    private final boolean echo;
    private final PromptScoring scoring;
    private final ModelRegistry registry;
    private final int top;
    private final int n;
    private List<PromptScoring.Scored> echoed;

    /** @param top alternatives per token; -1: no logprobs */
    CompletionWire(List<String> prompts, boolean echo, PromptScoring scoring, ModelRegistry registry, int top, int n) {
        this.prompts = prompts;
        this.echo = echo;
        this.scoring = scoring;
        this.registry = registry;
        this.top = top;
        this.n = n;
    }

    @Override
    public String idPrefix() {
        return "cmpl-";
    }

    @Override
    public String prefix(int prompt) {
        return echo ? prompts.get(prompt) : "";
    }

    @Override
    public void prepare() {
        if (echo && top >= 0) {
            echoed = scoring.score(registry, prompts, top, n); // its budget refuses with a 422 before any stream starts
        }
    }

    @Override
    public List<Object> opening(Envelope envelope, int index, int prompt) {
        return echo ? List.of(chunk(envelope, new Choice(prompts.get(prompt), index, echoed == null ? null : echoed.get(prompt).logprobs(), null)))
                : List.of();
    }

    @Override
    public Object chunk(Envelope envelope, ChoicePart part) {
        return chunk(envelope, new Choice(part.text(), part.index(), legacy(part.logprobs()), part.finishReason()));
    }

    private static Completion chunk(Envelope envelope, Choice choice) {
        return new Completion(envelope.id(), OBJECT, envelope.created(), envelope.model(), List.of(choice), null);
    }

    @Override
    public Object usageChunk(Envelope envelope, Usage usage) {
        return new Completion(envelope.id(), OBJECT, envelope.created(), envelope.model(), List.of(), usage);
    }

    @Override
    public Object whole(Envelope envelope, List<ChoicePart> parts, Usage usage) {
        List<Choice> choices = new ArrayList<>();
        for (ChoicePart part : parts) {
            Logprobs generated = legacy(part.logprobs());
            Logprobs all = echoed != null ? PromptScoring.concat(echoed.get(part.prompt()).logprobs(), generated) : generated;
            choices.add(new Choice(part.text(), part.index(), all, part.finishReason()));
        }
        return new Completion(envelope.id(), OBJECT, envelope.created(), envelope.model(), choices, usage);
    }

    /** OpenAI's legacy logprobs: parallel lists of tokens, logprobs, alternatives and text offsets; null when not asked for. */
    private static Logprobs legacy(List<ChunkLogprobs.Entry> entries) {
        if (entries == null) {
            return null;
        }
        List<String> tokens = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        List<Map<String, Float>> alternatives = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (ChunkLogprobs.Entry e : entries) {
            tokens.add(e.token());
            values.add(e.logprob());
            Map<String, Float> top = new LinkedHashMap<>();
            e.alternatives().forEach(a -> top.put(a.text(), a.logprob()));
            alternatives.add(top);
            offsets.add(e.offset());
        }
        return new Logprobs(tokens, values, alternatives, offsets);
    }
}

package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The questions one can ask of a model's insides, each answered with one or a few evaluation passes of
 * {@link HookedGpt} in a manager of its own: capture, the logit lens, interventions, greedy generation under them.
 * Never changes the model; safe to call from several threads at once.
 */
public final class Inspector {

    private final HookedGpt gpt;
    private final HookNames names;
    private final NDManager models;

    /** @param manager the model's manager, of which each question takes a sub-manager */
    public Inspector(Gpt model, NDManager manager) {
        this.gpt = new HookedGpt(model);
        this.names = new HookNames(model.config());
        this.models = manager;
    }

    public GptConfig config() {
        return gpt.config();
    }

    public HookNames names() {
        return names;
    }

    public HookedGpt gpt() {
        return gpt;
    }

    /**
     * One pass, the activations of {@code hooks} kept (in forward order) and copied out.
     *
     * @param logits every position's logits (T,V)
     * @param tensors the captured activations, whole (select from them afterwards)
     */
    public record Run(float[][] logits, Map<String, Tensor> tensors) {}

    public Run run(int[] tokens, List<String> hooks, Interventions interventions) {
        try (NDManager manager = models.newSubManager(); GradMode ignored = GradMode.disabled()) {
            return run(manager, tokens, hooks, interventions);
        }
    }

    private Run run(NDManager manager, int[] tokens, List<String> hooks, Interventions interventions) {
        Capture capture = new Capture(hooks);
        Hooks edits = interventions.hooks(gpt, manager, names);
        NDArray logits = gpt.logits(manager, tokens, edits.then(capture), interventions.whatIfs(config().nLayer()));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        capture.captured().forEach((name, value) -> tensors.put(name, Tensor.of(value, names.axes(name))));
        return new Run(rows(logits), tensors);
    }

    /** The residual streams the logit lens reads, in order: the embeddings, then each layer's mid and post. */
    public List<String> lensStages() {
        List<String> stages = new ArrayList<>(List.of("blocks.0.hook_resid_pre"));
        for (int layer = 0; layer < config().nLayer(); layer++) {
            stages.add("blocks." + layer + ".hook_resid_mid");
            stages.add("blocks." + layer + ".hook_resid_post");
        }
        return stages;
    }

    /** Each of {@link #lensStages()} read through the final LayerNorm and the unembedding: [stage][position][vocab]. */
    public float[][][] lens(int[] tokens) {
        try (NDManager manager = models.newSubManager(); GradMode ignored = GradMode.disabled()) {
            List<String> stages = lensStages();
            Capture capture = new Capture(stages);
            gpt.logits(manager, tokens, capture, WhatIfs.NONE);
            float[][][] grid = new float[stages.size()][][];
            for (int s = 0; s < stages.size(); s++) {
                grid[s] = rows(gpt.unembed(capture.get(stages.get(s))));
            }
            return grid;
        }
    }

    /**
     * Greedy continuation (argmax at each step, no sampling, no cache: one pass per token over the last n_ctx tokens),
     * under {@code interventions}, which must not patch (a source text has one length).
     */
    public int[] greedy(int[] tokens, Interventions interventions, int maxNewTokens) {
        int[] text = Arrays.copyOf(tokens, tokens.length + maxNewTokens);
        int length = tokens.length;
        try (GradMode ignored = GradMode.disabled()) {
            for (int step = 0; step < maxNewTokens; step++) {
                if (Thread.interrupted()) {
                    throw new java.util.concurrent.CancellationException("the generation ran out of time");
                }
                int from = Math.max(0, length - config().blockSize());
                try (NDManager manager = models.newSubManager()) {
                    Hooks edits = interventions.hooks(gpt, manager, names);
                    NDArray logits = gpt.logits(manager, Arrays.copyOfRange(text, from, length), edits, interventions.whatIfs(config().nLayer()));
                    float[] last = logits.get(length - from - 1).toFloatArray();
                    text[length++] = Distribution.of(last).argmax();
                }
            }
        }
        return Arrays.copyOfRange(text, tokens.length, length);
    }

    /** A manager for one question's arrays, under the model's; the caller closes it. */
    NDManager newManager() {
        return models.newSubManager();
    }

    /** A token's embedding row (C). */
    public float[] embeddingRow(int id) {
        try (NDArray row = gpt.tokenEmbedding().get(id)) { // a view of the weights, closed at once
            return row.toFloatArray();
        }
    }

    /** The rows of a (T,V) array. */
    static float[][] rows(NDArray logits) {
        int time = Math.toIntExact(logits.getShape().get(0));
        int vocab = Math.toIntExact(logits.getShape().get(1));
        float[] flat = logits.toFloatArray();
        float[][] rows = new float[time][];
        for (int t = 0; t < time; t++) {
            rows[t] = Arrays.copyOfRange(flat, t * vocab, (t + 1) * vocab);
        }
        return rows;
    }
}

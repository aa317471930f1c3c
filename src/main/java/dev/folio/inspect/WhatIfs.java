package dev.folio.inspect;

import java.util.Set;

/**
 * Changes to the computation itself rather than to an activation: the what-ifs of a GPT explainer.
 *
 * @param unscaledLayers layers whose scores are not divided by √d_head
 * @param unmaskedLayers layers whose causal mask is lifted
 * @param noPositions the position embeddings are left out
 * @param skippedNorms LayerNorms ({@code blocks.L.ln1}, {@code blocks.L.ln2}, {@code ln_final}) whose output is their input
 */
public record WhatIfs(Set<Integer> unscaledLayers, Set<Integer> unmaskedLayers, boolean noPositions, Set<String> skippedNorms) {

    public static final WhatIfs NONE = new WhatIfs(Set.of(), Set.of(), false, Set.of());

    public WhatIfs {
        unscaledLayers = Set.copyOf(unscaledLayers);
        unmaskedLayers = Set.copyOf(unmaskedLayers);
        skippedNorms = Set.copyOf(skippedNorms);
    }
}

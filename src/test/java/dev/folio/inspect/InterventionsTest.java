package dev.folio.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.BundledStore;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Interventions against independent computations, on the bundled model. */
class InterventionsTest {

    private static final String CLEAN = "ROMEO:\nBut soft, what light";
    private static final String CORRUPTED = "ROMEO:\nBut hark, what night";

    private static LoadedModel model;
    private static Inspector inspector;
    private static GptConfig config;

    @BeforeAll
    static void load() throws Exception {
        model = new ModelStore(BundledStore.copy()).loadCurrent(BundledStore.MODEL);
        inspector = new Inspector(model.gpt(), model.model().getNDManager());
        config = model.gpt().config();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static int[] encode(String text) {
        return model.tokenizer().encode(text);
    }

    private static float[][] logits(int[] tokens, Intervention... interventions) {
        return inspector.run(tokens, List.of(), new Interventions(List.of(interventions))).logits();
    }

    @Test
    void ablatingAHeadEqualsTheBlocksWithThatHeadsOutputZeroed() {
        int layer = 1;
        int head = 2;
        int[] tokens = encode(CLEAN);
        float[][] ablated = logits(tokens, new Intervention.AblateHead(layer, head, Intervention.Mode.ZERO));
        try (Model copy = HookedGptTest.copyOf(model.gpt(), blocks -> zeroHeadColumns(blocks, layer, head))) {
            float[][] independent = HookedGptTest.blockLogits((Gpt) copy.getBlock(), tokens);
            for (int t = 0; t < tokens.length; t++) {
                assertThat(ablated[t]).as("position %d", t).containsExactly(independent[t], Offset.offset(1e-4f));
            }
        }
        float[][] served = logits(tokens);
        assertThat(maxDifference(served, ablated)).as("the ablation changes something").isGreaterThan(1e-3);
        assertThat(HookedGptTest.blockLogits(model.gpt(), tokens)[tokens.length - 1])
                .as("the served weights are untouched").containsExactly(served[tokens.length - 1], Offset.offset(1e-4f));
    }

    /** The head's slice of the output projection's input columns, zeroed in the copy's weights. */
    private static void zeroHeadColumns(Gpt blocks, int layer, int head) {
        boolean found = false;
        List<String> names = new ArrayList<>();
        for (Pair<String, Parameter> parameter : blocks.getParameters()) {
            names.add(parameter.getKey());
            if (parameter.getKey().matches("\\d+h" + layer + "_\\d+attn_\\d+c_proj_weight")) { // DJL numbers each block's children
                int from = head * config.headDim();
                parameter.getValue().getArray().set(new NDIndex(":, " + from + ":" + (from + config.headDim())), 0f);
                found = true;
            }
        }
        assertThat(found).as("layer %d's attention output projection among %s", layer, names).isTrue();
    }

    @Test
    void onlyLiftingTheMaskLetsALaterTokenChangeEarlierPositions() {
        int[] text = encode(CLEAN);
        int[] changed = text.clone();
        int at = text.length - 3;
        changed[at] = (changed[at] + 7) % config.vocabSize();
        List<Intervention> keepCausality = List.of(
                new Intervention.AblateHead(0, 1, Intervention.Mode.MEAN),
                new Intervention.ScaleHead(2, 3, 2.5f),
                new Intervention.AblateNeuron(1, 17, Intervention.Mode.ZERO),
                new Intervention.NoScaling(null),
                new Intervention.NoPositionalEmbeddings(),
                new Intervention.SkipLayerNorm("blocks.1.ln1"),
                new Intervention.SkipLayerNorm("ln_final"));
        for (Intervention intervention : keepCausality) {
            float[][] before = logits(text, intervention);
            float[][] after = logits(changed, intervention);
            // mean ablation averages over the whole text, which a later token is part of: it is not causal by design
            int checked = intervention instanceof Intervention.AblateHead ablate && ablate.mode() == Intervention.Mode.MEAN ? 0 : at;
            for (int t = 0; t < checked; t++) {
                assertThat(after[t]).as("%s, position %d", intervention, t).containsExactly(before[t], Offset.offset(1e-4f));
            }
        }
        float[][] before = logits(text, new Intervention.NoCausalMask(null));
        float[][] after = logits(changed, new Intervention.NoCausalMask(null));
        for (int t = 0; t < at; t++) {
            assertThat(maxDifference(new float[][] {before[t]}, new float[][] {after[t]})).as("unmasked, position %d", t).isGreaterThan(1e-4);
        }
        float[][] served = logits(text);
        assertThat(maxDifference(new float[][] {served[0]}, new float[][] {before[0]})).as("the first position sees the whole text").isGreaterThan(1e-4);
    }

    @Test
    void patchingEveryActivationFromTheCorruptedTextReproducesItsOutput() {
        int[] clean = encode(CLEAN);
        int[] corrupted = encode(CORRUPTED);
        float[][] target = logits(corrupted);
        List<Intervention> everything = new ArrayList<>();
        for (String hook : inspector.names().all()) {
            everything.add(new Intervention.Patch(hook, corrupted, null, null));
        }
        float[][] patched = logits(clean, everything.toArray(Intervention[]::new));
        for (int t = 0; t < clean.length; t++) {
            assertThat(patched[t]).as("position %d", t).containsExactly(target[t], Offset.offset(1e-4f));
        }
        float[][] streamOnly = logits(clean, new Intervention.Patch("blocks.0.hook_resid_pre", corrupted, null, null));
        assertThat(maxDifference(streamOnly, target)).as("the residual stream entering block 0 carries everything").isLessThan(1e-4);
        float[][] oneHead = logits(clean, new Intervention.Patch("blocks.3.attn.hook_z", corrupted, List.of(0), null));
        assertThat(maxDifference(oneHead, target)).as("one head is not everything").isGreaterThan(1e-3);
    }

    @Test
    void aPatchAtSomePositionsLeavesEarlierOnesAlone() {
        int[] clean = encode(CLEAN);
        int[] corrupted = encode(CORRUPTED);
        int from = clean.length - 4;
        List<Integer> positions = new ArrayList<>();
        for (int p = from; p < clean.length; p++) {
            positions.add(p);
        }
        float[][] served = logits(clean);
        float[][] patched = logits(clean, new Intervention.Patch("blocks.1.hook_resid_mid", corrupted, null, positions));
        for (int t = 0; t < from; t++) {
            assertThat(patched[t]).containsExactly(served[t], Offset.offset(1e-5f));
        }
        assertThat(maxDifference(new float[][] {patched[from]}, new float[][] {served[from]})).isGreaterThan(1e-3);
    }

    static double maxDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int t = 0; t < a.length; t++) {
            for (int v = 0; v < a[t].length; v++) {
                max = Math.max(max, Math.abs(a[t][v] - b[t][v]));
            }
        }
        return max;
    }
}

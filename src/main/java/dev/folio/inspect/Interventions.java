package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A request's interventions, applied together: the what-ifs they ask for and the hooks that edit activations. */
public final class Interventions {

    public static final Interventions NONE = new Interventions(List.of());

    private final List<Intervention> all;

    public Interventions(List<Intervention> all) {
        this.all = List.copyOf(all);
    }

    public List<Intervention> all() {
        return all;
    }

    public boolean patches() {
        return all.stream().anyMatch(Intervention.Patch.class::isInstance);
    }

    public WhatIfs whatIfs(int layers) {
        Set<Integer> unscaled = new HashSet<>();
        Set<Integer> unmasked = new HashSet<>();
        Set<String> skipped = new HashSet<>();
        boolean noPositions = false;
        for (Intervention intervention : all) {
            if (intervention instanceof Intervention.NoScaling s) {
                unscaled.addAll(layers(s.layer(), layers));
            } else if (intervention instanceof Intervention.NoCausalMask m) {
                unmasked.addAll(layers(m.layer(), layers));
            } else if (intervention instanceof Intervention.NoPositionalEmbeddings) {
                noPositions = true;
            } else if (intervention instanceof Intervention.SkipLayerNorm n) {
                skipped.add(n.layerNorm());
            }
        }
        return new WhatIfs(unscaled, unmasked, noPositions, skipped);
    }

    private static List<Integer> layers(Integer layer, int layers) {
        if (layer != null) {
            return List.of(layer);
        }
        List<Integer> every = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            every.add(i);
        }
        return every;
    }

    /** The hooks patched from this source text. */
    private Set<String> patchedHooks(int[] source) {
        Set<String> hooks = new HashSet<>();
        for (Intervention intervention : all) {
            if (intervention instanceof Intervention.Patch patch && java.util.Arrays.equals(patch.sourceTokens(), source)) {
                hooks.add(patch.hook());
            }
        }
        return hooks;
    }

    private static List<Integer> boxed(int[] tokens) {
        return java.util.Arrays.stream(tokens).boxed().toList();
    }

    /**
     * The hooks that make the edits, in the order given. Patches first run their source texts (as served, without
     * interventions) to capture what they take.
     */
    public Hooks hooks(HookedGpt gpt, NDManager manager, HookNames names) {
        Map<String, List<Intervention>> byHook = new HashMap<>();
        for (Intervention intervention : all) {
            String hook = intervention.hook();
            if (hook != null) {
                byHook.computeIfAbsent(hook, h -> new ArrayList<>()).add(intervention);
            }
        }
        Map<Intervention.Patch, NDArray> sources = new HashMap<>();
        Map<List<Integer>, Capture> sourcePasses = new HashMap<>(); // one pass per source text, whatever it is patched into
        for (Intervention intervention : all) {
            if (intervention instanceof Intervention.Patch patch) {
                sourcePasses.computeIfAbsent(boxed(patch.sourceTokens()), text -> new Capture(patchedHooks(patch.sourceTokens())));
            }
        }
        sourcePasses.forEach((text, capture) -> gpt.logits(manager, text.stream().mapToInt(Integer::intValue).toArray(), capture, WhatIfs.NONE));
        for (Intervention intervention : all) {
            if (intervention instanceof Intervention.Patch patch) {
                sources.put(patch, sourcePasses.get(boxed(patch.sourceTokens())).get(patch.hook()));
            }
        }
        return new Hooks() {
            @Override
            public NDArray at(String name, NDArray value) {
                for (Intervention intervention : byHook.getOrDefault(name, List.of())) {
                    value = intervention instanceof Intervention.Patch patch
                            ? patch.patched(manager, value, sources.get(patch), names.axes(name))
                            : intervention.edit(manager, value);
                }
                return value;
            }

            @Override
            public boolean wants(String name) {
                return byHook.containsKey(name);
            }
        };
    }
}

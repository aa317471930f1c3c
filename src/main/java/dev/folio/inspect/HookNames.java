package dev.folio.inspect;

import dev.folio.model.GptConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every hook point of a model, in the order the forward pass makes them, with the axes of its activation: the
 * catalogue docs/inspect.md tabulates. Names are TransformerLens's, plus Folio's LayerNorm statistics.
 */
public final class HookNames {

    /** Axis names, as the answers give them. */
    public static final String POS = "pos";
    public static final String HEAD = "head";
    public static final String QUERY = "query";
    public static final String KEY = "key";

    private static final List<String> NORM = List.of("hook_mean", "hook_std", "hook_scale", "hook_normalized", "hook_out");

    private final Map<String, List<String>> axes = new LinkedHashMap<>();

    public HookNames(GptConfig config) {
        add("hook_embed", POS, "d_model");
        add("hook_pos_embed", POS, "d_model");
        for (int layer = 0; layer < config.nLayer(); layer++) {
            String block = "blocks." + layer;
            add(block + ".hook_resid_pre", POS, "d_model");
            addNorm(block + ".ln1");
            for (String name : List.of("hook_q", "hook_k", "hook_v")) {
                add(block + ".attn." + name, POS, HEAD, "d_head");
            }
            for (String name : List.of("hook_qk", "hook_attn_scores", "hook_pattern")) {
                add(block + ".attn." + name, HEAD, QUERY, KEY);
            }
            add(block + ".attn.hook_z", POS, HEAD, "d_head");
            add(block + ".attn.hook_result", POS, HEAD, "d_model");
            add(block + ".hook_attn_out", POS, "d_model");
            add(block + ".hook_resid_mid", POS, "d_model");
            addNorm(block + ".ln2");
            add(block + ".mlp.hook_pre", POS, "d_mlp");
            add(block + ".mlp.hook_post", POS, "d_mlp");
            add(block + ".hook_mlp_out", POS, "d_model");
            add(block + ".hook_resid_post", POS, "d_model");
        }
        addNorm("ln_final");
        add("logits", POS, "d_vocab");
    }

    private void addNorm(String prefix) {
        for (String name : NORM) {
            boolean perToken = !name.equals("hook_normalized") && !name.equals("hook_out");
            add(prefix + "." + name, perToken ? new String[] {POS} : new String[] {POS, "d_model"});
        }
    }

    private void add(String name, String... names) {
        axes.put(name, List.of(names));
    }

    /** Every name, in forward order. */
    public Set<String> all() {
        return axes.keySet();
    }

    public boolean contains(String name) {
        return axes.containsKey(name);
    }

    /** The activation's axes (pos, head, query, key, d_model, d_head, d_mlp, d_vocab); the name must be known. */
    public List<String> axes(String name) {
        List<String> found = axes.get(name);
        if (found == null) {
            throw new IllegalArgumentException("no hook named " + name);
        }
        return found;
    }

    /** The layer of a {@code blocks.L.*} name, or -1. */
    public static int layerOf(String name) {
        if (!name.startsWith("blocks.")) {
            return -1;
        }
        int end = name.indexOf('.', 7);
        return Integer.parseInt(name.substring(7, end));
    }

    /**
     * The names that {@code patterns} select ({@code *} matches any run of characters), in forward order.
     *
     * @throws IllegalArgumentException naming a pattern that selects nothing
     */
    public List<String> select(List<String> patterns) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String pattern : patterns) {
            Pattern regex = glob(pattern);
            List<String> matched = axes.keySet().stream().filter(name -> regex.matcher(name).matches()).toList();
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("no hook matches '" + pattern + "'; names are as blocks.0.attn.hook_pattern, "
                        + "blocks.*.ln1.hook_normalized, hook_embed, ln_final.hook_out, logits (docs/inspect.md lists them all)");
            }
            chosen.addAll(matched);
        }
        List<String> ordered = new ArrayList<>();
        for (String name : axes.keySet()) {
            if (chosen.contains(name)) {
                ordered.add(name);
            }
        }
        return ordered;
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}

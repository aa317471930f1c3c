package dev.folio.inspect;

import dev.folio.model.GptConfig;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Which part of the captured activations a request wants: some layers, some heads (in the order given), a range of
 * positions. The key axis keeps positions 0 … end−1 (a query never sees a later key).
 *
 * @param layers null: every layer
 * @param heads null: every head
 * @param start the first position kept
 * @param end one past the last position kept
 */
public record Selection(Set<Integer> layers, int[] heads, int start, int end) {

    /** Whether the hook belongs to a selected layer (hooks outside the blocks always do). */
    public boolean keeps(String hook) {
        int layer = HookNames.layerOf(hook);
        return layer < 0 || layers == null || layers.contains(layer);
    }

    public Tensor apply(Tensor tensor) {
        Tensor kept = tensor;
        if (heads != null) {
            kept = kept.select(HookNames.HEAD, heads);
        }
        int[] positions = IntStream.range(start, end).toArray();
        kept = kept.select(HookNames.POS, positions).select(HookNames.QUERY, positions);
        return kept.select(HookNames.KEY, IntStream.range(0, end).toArray());
    }

    /** The values a hook's selected tensor sends in {@code layout}, from its axes alone (before anything runs). */
    public long valuesSent(List<String> axes, GptConfig config, TensorEncoding.Layout layout) {
        long leading = 1;
        int queries = 1;
        int keys = 1;
        boolean attention = axes.size() >= 2 && axes.get(axes.size() - 1).equals(HookNames.KEY);
        for (String axis : axes) {
            switch (axis) {
                case HookNames.QUERY -> queries = end - start;
                case HookNames.KEY -> keys = end;
                default -> leading *= size(axis, config);
            }
        }
        return TensorEncoding.valuesSent(leading, start, queries, keys, attention, layout);
    }

    private long size(String axis, GptConfig config) {
        return switch (axis) {
            case HookNames.POS -> end - start;
            case HookNames.HEAD -> heads != null ? heads.length : config.nHead();
            case "d_model" -> config.nEmbd();
            case "d_head" -> config.headDim();
            case "d_mlp" -> 4L * config.nEmbd();
            case "d_vocab" -> config.vocabSize();
            default -> throw new IllegalArgumentException("unknown axis " + axis);
        };
    }
}

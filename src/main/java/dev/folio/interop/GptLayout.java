package dev.folio.interop;

import dev.folio.model.GptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A Folio model's tensors by their nanoGPT names ({@code transformer.h.0.attn.c_attn.weight}, ...), in the order of
 * {@link dev.folio.model.GptWeights#arrays()}, with the shapes Folio (and nanoGPT) keep them in: a Linear's weight
 * (out, in). Hugging Face's GPT-2 uses the same names and keeps its Conv1D weights (in, out): see {@link #swapConv1d}.
 */
public record GptLayout(List<Slot> slots) {

    /** One tensor: its name, its shape in Folio's layout, whether it is a Linear's weight, whether it is a bias. */
    public record Slot(String name, long[] shape, boolean linearWeight, boolean bias) {}

    private static final String[] PARTS = {"ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"};

    /** Every tensor of a model of this architecture; the biases only if it has them. */
    public static GptLayout of(GptConfig config) {
        return of(config, config.bias());
    }

    /** Every tensor, with the biases whether the model has them or not (Hugging Face's GPT-2 always has them). */
    public static GptLayout of(GptConfig config, boolean withBiases) {
        long c = config.nEmbd();
        List<Slot> slots = new ArrayList<>();
        slots.add(new Slot("transformer.wte.weight", new long[] {config.vocabSize(), c}, false, false));
        slots.add(new Slot("transformer.wpe.weight", new long[] {config.blockSize(), c}, false, false));
        slots.add(new Slot("transformer.ln_f.weight", new long[] {c}, false, false));
        for (int layer = 0; layer < config.nLayer(); layer++) {
            for (String part : PARTS) {
                long out = outputs(part, c);
                boolean linear = !part.startsWith("ln_");
                slots.add(new Slot(prefix(layer) + part + ".weight", linear ? new long[] {out, inputs(part, c)} : new long[] {c}, linear, false));
            }
        }
        if (withBiases) {
            slots.add(new Slot("transformer.ln_f.bias", new long[] {c}, false, true));
            for (int layer = 0; layer < config.nLayer(); layer++) {
                for (String part : PARTS) {
                    slots.add(new Slot(prefix(layer) + part + ".bias", new long[] {outputs(part, c)}, false, true));
                }
            }
        }
        return new GptLayout(List.copyOf(slots));
    }

    /** PyTorch's causal-mask buffers, which nanoGPT (without flash attention) and older transformers save beside the weights. */
    static boolean isCausalMask(String name) {
        return name.matches("transformer\\.h\\.\\d+\\.attn\\.(bias|masked_bias)");
    }

    /** A Linear's weight between Folio's (out, in) and Conv1D's (in, out), either way; any other tensor as it is. */
    public static Tensor swapConv1d(Slot slot, Tensor tensor) {
        return slot.linearWeight() ? tensor.transposed() : tensor;
    }

    public int size() {
        return slots.size();
    }

    private static String prefix(int layer) {
        return "transformer.h." + layer + ".";
    }

    private static long outputs(String part, long c) {
        return switch (part) {
            case "attn.c_attn" -> 3 * c;
            case "mlp.c_fc" -> 4 * c;
            default -> c;
        };
    }

    private static long inputs(String part, long c) {
        return part.equals("mlp.c_proj") ? 4 * c : c;
    }
}

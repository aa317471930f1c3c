package dev.folio.interop;

import ai.djl.ndarray.NDArray;
import dev.folio.model.Gpt;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model's weights to and from {@link Tensor}s named as in {@link GptLayout}, in Folio's layout. */
public final class ModelTensors {

    private ModelTensors() {}

    /** Copies of every weight of the model (its biases too, if it has them). */
    public static Map<String, Tensor> read(Gpt gpt) {
        GptLayout layout = GptLayout.of(gpt.config());
        List<NDArray> arrays = gpt.weights().arrays();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < layout.size(); i++) {
            GptLayout.Slot slot = layout.slots().get(i);
            NDArray array = arrays.get(i);
            requireShape(slot, array);
            tensors.put(slot.name(), new Tensor(slot.shape(), array.toFloatArray()));
        }
        return tensors;
    }

    /** Writes every weight into an initialised model; {@code tensors} holds exactly the model's names and shapes (see {@link ImportedModel}). */
    public static void write(Gpt gpt, Map<String, Tensor> tensors) {
        GptLayout layout = GptLayout.of(gpt.config());
        List<NDArray> arrays = gpt.weights().arrays();
        for (int i = 0; i < layout.size(); i++) {
            GptLayout.Slot slot = layout.slots().get(i);
            NDArray array = arrays.get(i);
            requireShape(slot, array);
            array.set(FloatBuffer.wrap(tensors.get(slot.name()).values()));
        }
    }

    private static void requireShape(GptLayout.Slot slot, NDArray array) {
        if (!Arrays.equals(array.getShape().getShape(), slot.shape())) {
            throw new IllegalStateException(slot.name() + " is " + array.getShape() + " in the model, " + Arrays.toString(slot.shape()) + " in its layout");
        }
    }
}

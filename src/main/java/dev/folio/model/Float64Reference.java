package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import dev.folio.engine.GradMode;
import java.util.Iterator;

/**
 * The DJL blocks ({@link Gpt#forward}) run on a float64 copy of a model's weights: the reference every float32
 * serving pass is held to. In float64 the blocks' own rounding is ~10⁻⁹ of the float32 passes', so what a pass
 * differs from it by is that pass's error, not the reference's.
 */
public final class Float64Reference implements AutoCloseable {

    private static final NDIndex EVERYTHING = new NDIndex("...");

    private final NDManager manager;
    private final Gpt blocks;

    public Float64Reference(Gpt model) {
        GptConfig config = model.config().withDropout(0f);
        this.manager = NDManager.newBaseManager(model.getParameters().valueAt(0).getArray().getDevice());
        this.blocks = new Gpt(config);
        try (GradMode ignored = GradMode.disabled()) {
            blocks.setInitializer(Initializer.ZEROS, parameter -> true); // every value is copied in below: drawing random ones would cost more than the check
            blocks.initialize(manager, DataType.FLOAT64, new Shape(1, config.blockSize()));
            Iterator<Pair<String, Parameter>> source = model.getParameters().iterator();
            for (Pair<String, Parameter> target : blocks.getParameters()) {
                Pair<String, Parameter> from = source.next();
                if (!from.getKey().equals(target.getKey())) {
                    throw new IllegalStateException("parameter " + from.getKey() + " where " + target.getKey() + " was expected");
                }
                try (NDArray wide = from.getValue().getArray().toType(DataType.FLOAT64, true)) {
                    target.getValue().getArray().set(EVERYTHING, wide); // a copy inside libtorch, no trip through the JVM
                }
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The logits of every position of {@code tokens}, from position 0: (T,V). */
    public double[][] logits(int[] tokens) {
        int vocab = blocks.config().vocabSize();
        try (NDManager pass = manager.newSubManager(); GradMode ignored = GradMode.disabled()) {
            double[] flat = blocks.logits(new ParameterStore(pass, false), pass.create(tokens, new Shape(1, tokens.length)), false).toDoubleArray();
            double[][] rows = new double[tokens.length][];
            for (int t = 0; t < tokens.length; t++) {
                rows[t] = java.util.Arrays.copyOfRange(flat, t * vocab, (t + 1) * vocab);
            }
            return rows;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

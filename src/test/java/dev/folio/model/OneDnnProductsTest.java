package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.engine.TorchScript;
import dev.folio.model.ScriptedInference.WeightProducts;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The smallest reproducer of the fault seen on a Zen 5 (docs/performance.md, "Serving paths by CPU"): oneDNN's inner product on a matrix
 * reordered for one row, run on 1, 3, 8 and 32 rows, at the bundled model's five weight shapes, on one libtorch thread
 * and on two, against float64. On a CPU where these products are right, the bundled model must serve them (the fast
 * path is kept where it is right); where any is wrong, it must not (the load-time check catches what this catches).
 * Either way the test runs and asserts; it prints what it measured.
 */
class OneDnnProductsTest {

    /** (out, in) of c_attn, attention c_proj, c_fc, mlp c_proj and the head, at the bundled 4 × 256 model. */
    private static final long[][] SHAPES = {{768, 256}, {256, 256}, {1024, 256}, {256, 1024}, {65, 256}};
    private static final int[] ROWS = {1, 3, 8, 32};

    @Test
    void theBundledModelServesOneDnnExactlyWhereItsProductsAreRight() throws Exception {
        List<String> wrong = new ArrayList<>();
        double worst = 0;
        try (NDManager manager = NDManager.newBaseManager(); GradMode ignored = GradMode.disabled()) {
            PtSymbolBlock products = TorchScript.load(manager, OneDnnProductsTest.class, "onednn_products.py", "OneDnnProducts");
            TorchScript.usePlainInterpreter();
            manager.getEngine().setRandomSeed(7);
            for (int threads : new int[] {1, 2}) {
                IntraOpThreads.set(threads);
                for (long[] shape : SHAPES) {
                    NDArray weight = manager.randomNormal(0f, 0.02f, new Shape(shape), DataType.FLOAT32);
                    for (int rows : ROWS) {
                        NDArray x = manager.randomNormal(new Shape(rows, shape[1]));
                        double error = relativeError(products, weight, x, manager);
                        worst = Math.max(worst, error);
                        if (!(error <= ServingPathCheck.TOLERANCE)) {
                            wrong.add(String.format(Locale.ROOT, "%dx%d on %d rows, %d threads: %.2e", shape[0], shape[1], rows, threads, error));
                        }
                    }
                }
            }
            IntraOpThreads.set(1);
        } catch (EngineException e) {
            Assumptions.abort("libtorch cannot run oneDNN's products here: " + e.getMessage());
        }
        System.out.printf(Locale.ROOT, "oneDNN packed products, largest relative error %.2e; wrong: %s%n", worst, wrong);
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char")) {
            WeightProducts served = model.inference().products();
            if (wrong.isEmpty()) {
                assertThat(served).as("products right on this CPU, so the fast path serves: %s", model.inference().servingPath().reason())
                        .isEqualTo(WeightProducts.ONEDNN_PACKED);
            } else {
                assertThat(served).as("oneDNN's products are wrong here (%s), so they must not serve", wrong).isEqualTo(WeightProducts.LINEAR);
            }
        }
    }

    /** The largest |packed product − float64 product|, relative to the largest |float64 product|. */
    private static double relativeError(PtSymbolBlock products, NDArray weight, NDArray x, NDManager manager) {
        try (IValue w = IValue.from((PtNDArray) weight); IValue input = IValue.from((PtNDArray) x); IValue hint = IValue.from(1L);
                IValue out = products.forward(w, input, hint)) {
            double[] actual = out.toTensor((PtNDManager) manager).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] expected = x.toType(DataType.FLOAT64, false).matMul(weight.toType(DataType.FLOAT64, false).transpose()).toDoubleArray();
            double largest = 0;
            double difference = 0;
            for (int i = 0; i < expected.length; i++) {
                largest = Math.max(largest, Math.abs(expected[i]));
                double d = Math.abs(actual[i] - expected[i]);
                difference = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(difference, d);
            }
            return difference / largest;
        }
    }
}

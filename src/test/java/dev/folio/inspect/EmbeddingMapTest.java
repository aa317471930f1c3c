package dev.folio.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.BundledStore;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The embeddings' map on the bundled model: principal components that are what PCA promises. */
class EmbeddingMapTest {

    @Test
    void theTwoComponentsAreUncorrelatedAndHoldTheVarianceTheyClaim() throws Exception {
        try (LoadedModel model = new ModelStore(BundledStore.copy()).loadCurrent(BundledStore.MODEL)) {
            Inspector inspector = new Inspector(model.gpt(), model.model().getNDManager());
            EmbeddingMap map = EmbeddingMap.of(inspector, 4, 32);
            int vocab = model.gpt().config().vocabSize();
            int width = model.gpt().config().nEmbd();
            float[] rows = model.gpt().weights().tokenEmbedding().toFloatArray();
            double total = 0; // the centred embeddings' summed variance, computed directly
            for (int c = 0; c < width; c++) {
                double mean = 0;
                for (int i = 0; i < vocab; i++) {
                    mean += rows[i * width + c] / (double) vocab;
                }
                for (int i = 0; i < vocab; i++) {
                    total += Math.pow(rows[i * width + c] - mean, 2);
                }
            }
            double xx = 0;
            double yy = 0;
            double xy = 0;
            double x = 0;
            for (float[] point : map.coordinates()) {
                xx += point[0] * point[0];
                yy += point[1] * point[1];
                xy += point[0] * point[1];
                x += point[0];
            }
            assertThat(x / vocab).as("centred").isCloseTo(0, Offset.offset(1e-4));
            assertThat(xy / Math.sqrt(xx * yy)).as("uncorrelated").isCloseTo(0, Offset.offset(1e-3));
            assertThat(xx / total).isCloseTo(map.explainedVarianceRatio()[0], Offset.offset(1e-4));
            assertThat(yy / total).isCloseTo(map.explainedVarianceRatio()[1], Offset.offset(1e-4));
            assertThat(map.explainedVarianceRatio()[0]).isGreaterThanOrEqualTo(map.explainedVarianceRatio()[1]);
            assertThat(map.neighbours()[5]).hasSize(4).doesNotContain(5);
            assertThat(map.cosines()[5][0]).isGreaterThanOrEqualTo(map.cosines()[5][3]);
            assertThat(map.positionalCosine().shape()).containsExactly(32, 32);
        }
    }
}

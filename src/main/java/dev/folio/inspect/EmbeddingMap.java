package dev.folio.inspect;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The learned embeddings at a glance: the token embeddings projected on their first two principal components, each
 * token's nearest neighbours by cosine similarity, and the cosine similarity of the position embeddings.
 *
 * @param coordinates [token] = {x, y}: the centred embedding's scores on the first two principal components
 * @param explainedVarianceRatio the share of the embeddings' variance each component holds
 * @param norms each token embedding's length
 * @param neighbours [token] the nearest other tokens, nearest first
 * @param cosines [token] their cosine similarities
 * @param positionalCosine the position embeddings' cosine similarities, (pos, pos)
 */
public record EmbeddingMap(float[][] coordinates, double[] explainedVarianceRatio, float[] norms, int[][] neighbours, float[][] cosines,
        Tensor positionalCosine) {

    private static final int POWER_ITERATIONS = 1000;

    /** @param positions how many of the first position embeddings to compare */
    public static EmbeddingMap of(Inspector inspector, int neighbours, int positions) {
        int vocab = inspector.config().vocabSize();
        int width = inspector.config().nEmbd();
        float[] tokens = inspector.gpt().tokenEmbedding().toFloatArray(); // a copy into the JVM: the weights are only read
        float[] places = Arrays.copyOf(inspector.gpt().positionEmbedding().toFloatArray(), positions * width);

        double[][] gram = centredGram(tokens, vocab, width);
        double total = IntStream.range(0, vocab).mapToDouble(i -> gram[i][i]).sum();
        float[][] coordinates = new float[vocab][2];
        double[] ratio = new double[2];
        for (int component = 0; component < 2; component++) {
            double[] vector = leadingEigenvector(gram);
            double value = rayleigh(gram, vector);
            ratio[component] = total > 0 ? value / total : 0;
            for (int i = 0; i < vocab; i++) {
                coordinates[i][component] = (float) (vector[i] * Math.sqrt(Math.max(0, value)));
                for (int j = 0; j < vocab; j++) {
                    gram[i][j] -= value * vector[i] * vector[j]; // deflate: the next component is orthogonal to this one
                }
            }
        }

        float[][] tokenCosines = cosines(tokens, vocab, width);
        float[] norms = new float[vocab];
        int[][] nearest = new int[vocab][];
        float[][] nearestCosines = new float[vocab][];
        for (int i = 0; i < vocab; i++) {
            norms[i] = (float) Math.sqrt(dot(tokens, i, tokens, i, width));
            int self = i;
            float[] row = tokenCosines[i];
            nearest[i] = IntStream.range(0, vocab).filter(j -> j != self).boxed()
                    .sorted(Comparator.comparingDouble((Integer j) -> -row[j]).thenComparingInt(j -> j))
                    .limit(neighbours).mapToInt(Integer::intValue).toArray();
            nearestCosines[i] = new float[nearest[i].length];
            for (int n = 0; n < nearest[i].length; n++) {
                nearestCosines[i][n] = row[nearest[i][n]];
            }
        }
        float[][] positional = cosines(places, positions, width);
        float[] flat = new float[positions * positions];
        for (int i = 0; i < positions; i++) {
            System.arraycopy(positional[i], 0, flat, i * positions, positions);
        }
        Tensor positionalCosine = new Tensor(flat, new int[] {positions, positions}, List.of(HookNames.POS, HookNames.POS), 0);
        return new EmbeddingMap(coordinates, ratio, norms, nearest, nearestCosines, positionalCosine);
    }

    private static double[][] centredGram(float[] rows, int count, int width) {
        double[] mean = new double[width];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < width; c++) {
                mean[c] += rows[i * width + c] / (double) count;
            }
        }
        double[][] centred = new double[count][width];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < width; c++) {
                centred[i][c] = rows[i * width + c] - mean[c];
            }
        }
        double[][] gram = new double[count][count];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int c = 0; c < width; c++) {
                    sum += centred[i][c] * centred[j][c];
                }
                gram[i][j] = sum;
                gram[j][i] = sum;
            }
        }
        return gram;
    }

    /** Power iteration from a fixed start, so the same weights always give the same map; sign fixed by the largest entry. */
    private static double[] leadingEigenvector(double[][] matrix) {
        int n = matrix.length;
        double[] vector = new double[n];
        for (int i = 0; i < n; i++) {
            vector[i] = 1.0 + i / (double) n;
        }
        normalise(vector);
        for (int iteration = 0; iteration < POWER_ITERATIONS; iteration++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    next[i] += matrix[i][j] * vector[j];
                }
            }
            if (normalise(next) == 0) {
                return vector;
            }
            vector = next;
        }
        int largest = 0;
        for (int i = 1; i < n; i++) {
            if (Math.abs(vector[i]) > Math.abs(vector[largest])) {
                largest = i;
            }
        }
        if (vector[largest] < 0) {
            for (int i = 0; i < n; i++) {
                vector[i] = -vector[i];
            }
        }
        return vector;
    }

    private static double normalise(double[] vector) {
        double norm = Math.sqrt(Arrays.stream(vector).map(v -> v * v).sum());
        if (norm > 0) {
            for (int i = 0; i < vector.length; i++) {
                vector[i] /= norm;
            }
        }
        return norm;
    }

    private static double rayleigh(double[][] matrix, double[] vector) {
        double value = 0;
        for (int i = 0; i < vector.length; i++) {
            for (int j = 0; j < vector.length; j++) {
                value += vector[i] * matrix[i][j] * vector[j];
            }
        }
        return value;
    }

    private static float[][] cosines(float[] rows, int count, int width) {
        double[] norms = new double[count];
        for (int i = 0; i < count; i++) {
            norms[i] = Math.sqrt(dot(rows, i, rows, i, width));
        }
        float[][] cosines = new float[count][count];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j <= i; j++) {
                double denominator = norms[i] * norms[j];
                float cosine = denominator > 0 ? (float) (dot(rows, i, rows, j, width) / denominator) : 0f;
                cosines[i][j] = cosine;
                cosines[j][i] = cosine;
            }
        }
        return cosines;
    }

    private static double dot(float[] a, int i, float[] b, int j, int width) {
        double sum = 0;
        for (int c = 0; c < width; c++) {
            sum += a[i * width + c] * (double) b[j * width + c];
        }
        return sum;
    }
}

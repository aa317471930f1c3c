package dev.folio.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.inspect.TensorEncoding.Encoded;
import dev.folio.inspect.TensorEncoding.Encoding;
import dev.folio.inspect.TensorEncoding.Layout;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The encodings without HTTP: what each sends, and that it decodes within the error it states. */
class TensorEncodingTest {

    private static final List<String> ATTENTION = List.of(HookNames.HEAD, HookNames.QUERY, HookNames.KEY);

    /** A (2, 5, 5) score tensor of random values, masked above the diagonal. */
    private static Tensor scores() {
        Random random = new Random(7);
        float[] values = new float[2 * 5 * 5];
        for (int h = 0; h < 2; h++) {
            for (int q = 0; q < 5; q++) {
                for (int k = 0; k < 5; k++) {
                    values[(h * 5 + q) * 5 + k] = k > q ? HookedGpt.MASKED : (float) (random.nextGaussian() * 3);
                }
            }
        }
        return new Tensor(values, new int[] {2, 5, 5}, ATTENTION, 0);
    }

    @Test
    void theCausalLayoutSendsEachRowUpToItsOwnPosition() {
        Tensor tensor = scores();
        assertThat(TensorEncoding.valuesSent(tensor, Layout.CAUSAL)).isEqualTo(2 * (1 + 2 + 3 + 4 + 5));
        Tensor later = tensor.select(HookNames.QUERY, new int[] {3, 4});
        assertThat(TensorEncoding.valuesSent(later, Layout.CAUSAL)).as("rows 3 and 4 of each head").isEqualTo(2 * (4 + 5));
        Encoded json = TensorEncoding.encode(later, Encoding.JSON, Layout.CAUSAL);
        @SuppressWarnings("unchecked")
        List<List<float[]>> heads = (List<List<float[]>>) json.data();
        assertThat(heads.get(1).get(0)).containsExactly(java.util.Arrays.copyOfRange(tensor.values(), 25 + 15, 25 + 19));
        assertThat(heads.get(1).get(1)).hasSize(5);
        Tensor dense = new Tensor(new float[6], new int[] {2, 3}, List.of(HookNames.POS, "d_model"), 0);
        assertThat(TensorEncoding.encode(dense, Encoding.FLOAT32, Layout.CAUSAL).layout()).as("not attention-shaped: dense").isEqualTo("dense");
    }

    @Test
    void int8AndFloat16DecodeWithinTheirStatedErrorAndMarkMaskedScores() {
        Tensor tensor = scores();
        Encoded int8 = TensorEncoding.encode(tensor, Encoding.INT8, Layout.DENSE);
        byte[] bytes = Base64.getDecoder().decode((String) int8.data());
        Encoded half = TensorEncoding.encode(tensor, Encoding.FLOAT16, Layout.DENSE);
        byte[] halves = Base64.getDecoder().decode((String) half.data());
        for (int i = 0; i < tensor.size(); i++) {
            float truth = tensor.values()[i];
            float fromHalf = Half.toFloat((halves[2 * i] & 0xff) | (halves[2 * i + 1] & 0xff) << 8);
            if (truth == HookedGpt.MASKED) {
                assertThat(bytes[i]).isEqualTo(TensorEncoding.INT8_MASKED);
                assertThat(fromHalf).isEqualTo(Float.NEGATIVE_INFINITY);
                continue;
            }
            assertThat((double) Math.abs(bytes[i] * int8.scale() - truth)).isLessThanOrEqualTo(int8.maxError());
            assertThat((double) Math.abs(fromHalf - truth)).isLessThanOrEqualTo(half.maxError());
        }
        assertThat(int8.maxError()).isEqualTo(int8.scale() / 2.0);
    }
}

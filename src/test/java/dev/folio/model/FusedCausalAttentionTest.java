package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** libtorch's fused causal attention against the same attention spelled out in DJL ops, forward and backward. */
class FusedCausalAttentionTest {

    private static final Shape SHAPE = new Shape(2, 3, 7, 8); // (B,H,T,hd)

    @Test
    void matchesScaledMaskedSoftmaxAttentionAndItsGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray q = manager.randomNormal(SHAPE);
            NDArray k = manager.randomNormal(SHAPE);
            NDArray v = manager.randomNormal(SHAPE);
            NDArray weights = manager.randomNormal(SHAPE); // a loss that weighs every output differently

            NDArray[] fused = withGradients(q, k, v, (a, b, c) -> FusedCausalAttention.attend(a, b, c, 0f, true), weights);
            NDArray[] spelledOut = withGradients(q, k, v, (a, b, c) -> a.mul(1.0 / Math.sqrt(SHAPE.get(3))).matMul(b.transpose(0, 1, 3, 2))
                    .add(Gpt.causalMask(manager, 0, (int) SHAPE.get(2))).softmax(-1).matMul(c), weights);
            for (int i = 0; i < fused.length; i++) {
                assertThat(fused[i].sub(spelledOut[i]).abs().max().getFloat()).as(i == 0 ? "output" : "gradient " + i).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void dropsAttentionWeightsOnlyWhenTraining() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray q = manager.randomNormal(SHAPE);
            NDArray k = manager.randomNormal(SHAPE);
            NDArray v = manager.randomNormal(SHAPE);
            NDArray plain = FusedCausalAttention.attend(q, k, v, 0f, false);
            NDArray dropped = FusedCausalAttention.attend(q, k, v, 0.5f, true);
            assertThat(dropped.sub(plain).abs().max().getFloat()).isGreaterThan(1e-3f);
        }
    }

    private interface Attention {
        NDArray apply(NDArray q, NDArray k, NDArray v);
    }

    /** The output and the gradients of sum(output · weights) with respect to q, k and v. */
    private static NDArray[] withGradients(NDArray q, NDArray k, NDArray v, Attention attention, NDArray weights) {
        NDArray[] inputs = {q.duplicate(), k.duplicate(), v.duplicate()};
        for (NDArray input : inputs) {
            input.setRequiresGradient(true);
        }
        NDArray output;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            output = attention.apply(inputs[0], inputs[1], inputs[2]);
            collector.backward(output.mul(weights).sum());
        }
        return new NDArray[] {output.duplicate(), inputs[0].getGradient(), inputs[1].getGradient(), inputs[2].getGradient()};
    }
}

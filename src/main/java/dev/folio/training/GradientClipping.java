package dev.folio.training;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_: if the L2 norm of all gradients
 * together exceeds the limit, scale every gradient by limit/norm. DJL's optClipGrad clamps each
 * element instead, which changes the gradient's direction.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /** Clips in place; returns the norm before clipping. A limit of 0 or less only measures. */
    public static float clipGlobalNorm(List<NDArray> gradients, float maxNorm) {
        double sumOfSquares = 0;
        for (NDArray gradient : gradients) {
            try (NDArray squared = gradient.square(); NDArray sum = squared.sum()) {
                sumOfSquares += sum.getFloat();
            }
        }
        double norm = Math.sqrt(sumOfSquares);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (NDArray gradient : gradients) {
                gradient.muli(scale);
            }
        }
        return (float) norm;
    }
}

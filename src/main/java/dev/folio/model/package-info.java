/**
 * The GPT, as nanoGPT's model.py has it, in DJL blocks ({@link dev.folio.model.Gpt}, {@link dev.folio.model.TransformerBlock},
 * {@link dev.folio.model.CausalSelfAttention}, {@link dev.folio.model.FeedForward}), and the passes that run it.
 *
 * <h2>Which pass runs when</h2>
 * The blocks are the readable implementation and the reference. What runs in production is the same arithmetic as
 * TorchScript programs kept beside their Java classes, one JNI call a pass instead of one per op:
 *
 * <table>
 * <caption>Passes, their references, and the tests that hold them together</caption>
 * <tr><th>work</th><th>production path</th><th>reference</th><th>held to it by</th></tr>
 * <tr><td>training and evaluation forward</td><td>{@link dev.folio.model.ScriptedTrainingForward} ({@code training_forward.py}),
 *     through {@link dev.folio.model.Gpt#scriptedLogits}; differentiable, the blocks' dropout draws</td>
 *     <td>{@link dev.folio.model.Gpt#logits} (the blocks' forward)</td><td>ScriptedTrainingForwardTest: loss and every gradient</td></tr>
 * <tr><td>prefill: prompts, padded batches of prompts, chunks after a cache</td><td>{@link dev.folio.model.ScriptedInference#prefill}
 *     ({@code inference.py}'s {@code prefill})</td><td>{@link dev.folio.model.Gpt#forward(ai.djl.training.ParameterStore, ai.djl.ndarray.NDArray, KvCache)}</td>
 *     <td>ScriptedPrefillTest; the load-time check</td></tr>
 * <tr><td>the decoding step of the scheduler's batch</td><td>{@link dev.folio.model.ScriptedInference#decode}
 *     ({@code inference.py}'s {@code forward}) over a {@link dev.folio.model.SlotKvCache}</td>
 *     <td>the blocks' step (BlocksDecode, in the tests) and the full forward pass</td><td>BatchedDecodeTest, ScriptedInferenceTest;
 *     the load-time check</td></tr>
 * <tr><td>scoring ({@code /logits}, echo logprobs)</td><td>{@link dev.folio.model.ScriptedInference#prefill} from position 0
 *     (dev.folio.inference.TextScorer)</td><td>the blocks' forward</td><td>TextScorerTest; the load-time check</td></tr>
 * </table>
 *
 * <h2>A fast path serves only where it is checked</h2>
 * When a version loads, {@link dev.folio.model.ServingPaths} runs every serving pass on a fixed probe
 * ({@link dev.folio.model.ServingPathCheck}) against the blocks on a float64 copy of the weights
 * ({@link dev.folio.model.Float64Reference}) and serves the fastest weight products within
 * {@link dev.folio.model.ServingPathCheck#TOLERANCE} of the logits' magnitude: oneDNN's packed products, else libtorch's
 * {@code linear}. The verdict is the model's {@link dev.folio.model.ServingPath}, shown by {@code /info}.
 */
package dev.folio.model;

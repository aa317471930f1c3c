class AdamWStep(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.AdamWStep,
    weights: List[Tensor],
    decayed_weights: List[Tensor],
    gradients: List[Tensor],
    first_moments: List[Tensor],
    second_moments: List[Tensor],
    steps: List[Tensor],
    lr: float,
    beta1: float,
    beta2: float,
    weight_decay: float,
    eps: float,
    max_norm: float) -> Tensor:
    # One training update, as torch.nn.utils.clip_grad_norm_ then torch.optim.AdamW(fused=True), then zero_grad:
    # clip the gradients' global L2 norm to max_norm (0: measure only), decoupled weight decay of decayed_weights
    # (some of weights), AdamW on every weight, gradients zeroed. Returns the norm before clipping.
    # (No list slicing here: TorchScript drops in-place ops on the elements of a sliced list.)
    norm = torch.linalg_vector_norm(torch.stack(torch._foreach_norm(gradients, 2)), 2)
    if max_norm > 0.0:
      torch._foreach_mul_(gradients, torch.clamp(torch.reciprocal(torch.div(torch.add(norm, 1.0e-6), max_norm)), None, 1.0))
    if torch.len(decayed_weights) > 0:  # foreach ops refuse empty lists
      torch._foreach_mul_(decayed_weights, 1.0 - lr * weight_decay)
    torch._foreach_add_(steps, 1)
    no_max_moments : List[Tensor] = []
    torch._fused_adamw_(weights, gradients, first_moments, second_moments, no_max_moments, steps,
      lr=lr, beta1=beta1, beta2=beta2, weight_decay=0.0, eps=eps, amsgrad=False, maximize=False, grad_scale=None, found_inf=None)
    torch._foreach_zero_(gradients)
    return norm

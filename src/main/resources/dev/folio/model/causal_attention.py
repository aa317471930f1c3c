class CausalAttention(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.CausalAttention, query: Tensor, key: Tensor, value: Tensor, dropout: Tensor) -> Tensor:
    # libtorch's fused attention (flash attention on CPU): softmax(q·kᵀ/√hd + causal mask) · v, with dropout
    # of the attention weights; differentiable, so training's backward runs through it.
    return torch.scaled_dot_product_attention(query, key, value, None, torch.item(dropout), True)

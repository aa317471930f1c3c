class OneDnnProducts(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.OneDnnProducts, weight: Tensor, x: Tensor, hint: int) -> Tensor:
    # x·weightᵀ exactly as inference.py calls oneDNN: the matrix reordered once for a hint of rows, then the inner
    # product on whatever rows come.
    packed = ops.mkldnn._reorder_linear_weight(weight, hint)
    return ops.mkldnn._linear_pointwise(x, packed, None, "none", [], "")

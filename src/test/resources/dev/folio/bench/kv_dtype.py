class KvDtype(Module):
  # Batch-32 decoding attention over a cache in float32, bfloat16 or float16, the ways libtorch 2.7.1 can run it: its
  # fused attention in the cache's type (the query cast to it), or the cache widened to float32 first. For KvCacheCost.
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.KvDtype, query: Tensor, caches: List[Tensor], widen: bool) -> Tensor:
    out = query
    for layer in range(torch.len(caches)):
      cache = caches[layer]
      key = torch.select(cache, 2, 0)
      value = torch.select(cache, 2, 1)
      if widen:
        out = torch.scaled_dot_product_attention(query, torch.to(key, 6), torch.to(value, 6))
      else:
        out = torch.scaled_dot_product_attention(torch.to(query, ops.prim.dtype(key)), key, value)
    return out
  def stored(self: __torch__.KvDtype, caches: List[Tensor], dtype: int, span: int) -> List[Tensor]:
    # the caches converted to dtype (6 float32, 15 bfloat16, 5 float16), narrowed to their first span positions
    out : List[Tensor] = []
    for layer in range(torch.len(caches)):
      out.append(torch.narrow(torch.to(caches[layer], dtype), 3, 0, span))
    return out

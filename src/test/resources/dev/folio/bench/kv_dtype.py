class KvDtype(Module):
  # Batch-32 decoding attention over a cache in float32, bfloat16 or float16, the ways libtorch 2.7.1 can run it: its
  # fused attention in the cache's type (the query cast to it), or the cache widened to float32 first. For KvCacheCost.
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.KvDtype, query: Tensor, caches: List[Tensor], widen: bool) -> Tensor:
    out = query
    for cache in caches:
      key = torch.select(cache, 2, 0)
      value = torch.select(cache, 2, 1)
      if widen:
        out = torch.scaled_dot_product_attention(query, torch.to(key, 6), torch.to(value, 6))
      else:
        out = torch.scaled_dot_product_attention(torch.to(query, ops.prim.dtype(key)), key, value)
    return out

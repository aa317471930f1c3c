class Inference(Module):
  # The model's inference passes. Arguments shared with training_forward.py (GptWeights):
  #   weights: wte, wpe, ln_f, then per layer ln_1, c_attn, c_proj, ln_2, c_fc, mlp c_proj (the gains and matrices);
  #            then, only if shape[2] is 1, ln_f's bias and per layer the same six biases.
  #   shape:   [layers, heads, 1 if biases follow the weights else 0].
  # packed: empty (torch.linear on the weights), or pack(weights, shape) (oneDNN's inner product on those).
  __parameters__ = []
  __buffers__ = []
  training : bool
  def pack(self: __torch__.Inference,
    weights: List[Tensor],
    shape: Tensor) -> List[Tensor]:
    # The 17 weight products' matrices (per layer c_attn, c_proj, c_fc, mlp c_proj; then the head, wte) copied
    # once into oneDNN's blocked layout, for prefill's and forward's `packed` argument. oneDNN's fp32 inner
    # product picks its kernels from the CPU's features; MKL's, behind torch.linear, runs its generic path on
    # non-Intel CPUs. The hint (1 row) only picks the layout: the packed matrices serve any number of rows.
    out : List[Tensor] = []
    for layer in range(int(torch.select(shape, 0, 0))):
      w = 3 + 6 * layer
      for part in [1, 2, 4, 5]:
        out.append(ops.mkldnn._reorder_linear_weight(weights[w + part], 1))
    out.append(ops.mkldnn._reorder_linear_weight(weights[0], 1))
    return out
  def prefill(self: __torch__.Inference,
    weights: List[Tensor],
    packed: List[Tensor],
    past: List[Tensor],
    tokens: Tensor,
    shape: Tensor) -> List[Tensor]:
    # Gpt.forward for inference: tokens (B,T) at positions [P, P+T) after past (per layer keys, values,
    # each (B,H,P,hd); empty: P = 0). Returns the logits (B,T,V), then per layer keys and values (B,H,P+T,hd).
    # The per-layer code repeats forward's on purpose: as helper methods it read 1-2% slower on the batch-1 step.
    layers = int(torch.select(shape, 0, 0))
    n_head = int(torch.select(shape, 0, 1))
    has_bias = bool(torch.select(shape, 0, 2))
    biases = 3 + 6 * layers
    onednn = len(packed) > 0
    batch = torch.size(tokens, 0)
    time = torch.size(tokens, 1)
    start = 0
    if len(past) > 0:
      start = torch.size(past[0], 2)
    wte = weights[0]
    width = torch.size(wte, 1)
    head_dim = torch.floordiv(width, n_head)
    positions = torch.arange(start, start + time)
    x = torch.add(torch.embedding(wte, tokens), torch.embedding(weights[1], positions))  # (B,T,C)
    visible : Optional[Tensor] = None
    if start > 0:
      # after a cache the causal mask is offset: position P + t sees [0, P + t]
      visible = torch.le(torch.unsqueeze(torch.arange(start + time), 0), torch.unsqueeze(positions, 1))  # (T, P+T)
    out : List[Tensor] = []
    for layer in range(layers):
      w = 3 + 6 * layer
      b = biases + 1 + 6 * layer
      p = 4 * layer
      ln1_b : Optional[Tensor] = None
      attn_b : Optional[Tensor] = None
      proj_b : Optional[Tensor] = None
      ln2_b : Optional[Tensor] = None
      fc_b : Optional[Tensor] = None
      out_b : Optional[Tensor] = None
      if has_bias:
        ln1_b = weights[b]
        attn_b = weights[b + 1]
        proj_b = weights[b + 2]
        ln2_b = weights[b + 3]
        fc_b = weights[b + 4]
        out_b = weights[b + 5]
      h = torch.layer_norm(x, [width], weights[w], ln1_b, 1.0e-5, False)
      attention_in = ops.mkldnn._linear_pointwise(h, packed[p], attn_b, "none", [], "") if onednn else torch.linear(h, weights[w + 1], attn_b)
      qkv = torch.permute(torch.view(attention_in, [batch, time, 3, n_head, head_dim]), [2, 0, 3, 1, 4])
      query = torch.select(qkv, 0, 0)  # (B,H,T,hd)
      key = torch.select(qkv, 0, 1)
      value = torch.select(qkv, 0, 2)
      if start > 0:
        key = torch.cat([past[2 * layer], key], 2)
        value = torch.cat([past[2 * layer + 1], value], 2)
        y = torch.scaled_dot_product_attention(query, key, value, visible)
      else:
        y = torch.scaled_dot_product_attention(query, key, value, None, 0.0, True)
      out.append(key)
      out.append(value)
      y = torch.reshape(torch.transpose(y, 1, 2), [batch, time, width])
      x = torch.add(x, ops.mkldnn._linear_pointwise(y, packed[p + 1], proj_b, "none", [], "") if onednn else torch.linear(y, weights[w + 2], proj_b))
      h = torch.layer_norm(x, [width], weights[w + 3], ln2_b, 1.0e-5, False)
      if onednn:
        mlp = ops.mkldnn._linear_pointwise(torch.gelu(ops.mkldnn._linear_pointwise(h, packed[p + 2], fc_b, "none", [], "")), packed[p + 3], out_b, "none", [], "")
      else:
        mlp = torch.linear(torch.gelu(torch.linear(h, weights[w + 4], fc_b)), weights[w + 5], out_b)
      x = torch.add(x, mlp)
    ln_f_b : Optional[Tensor] = None
    if has_bias:
      ln_f_b = weights[biases]
    x = torch.layer_norm(x, [width], weights[2], ln_f_b, 1.0e-5, False)
    head = ops.mkldnn._linear_pointwise(x, packed[torch.len(packed) - 1], None, "none", [], "") if onednn else torch.linear(x, wte)
    logits : List[Tensor] = [head]
    return torch.add(logits, out)
  def forward(self: __torch__.Inference,
    weights: List[Tensor],
    packed: List[Tensor],
    caches: List[Tensor],
    tokens: Tensor,
    positions: Tensor,
    aligned: bool,
    span: int,
    shape: Tensor) -> Tensor:
    # One decoding step for rows [0, B) of the slot caches, each (slots, H, 2, block, hd).
    layers = int(torch.select(shape, 0, 0))
    n_head = int(torch.select(shape, 0, 1))
    has_bias = bool(torch.select(shape, 0, 2))
    biases = 3 + 6 * layers
    onednn = len(packed) > 0
    batch = torch.size(tokens, 0)
    wte = weights[0]
    width = torch.size(wte, 1)
    head_dim = torch.floordiv(width, n_head)
    x = torch.add(torch.embedding(wte, tokens), torch.embedding(weights[1], positions))
    mask : Optional[Tensor] = None
    if not aligned:
      # each row may look at its own positions only: a large negative number beyond them
      later = torch.gt(torch.unsqueeze(torch.arange(span), 0), torch.unsqueeze(positions, 1))
      mask = torch.view(torch.mul(later, -1.0e9), [batch, 1, 1, span])  # bool × float: float32
    rows = torch.arange(batch)
    for layer in range(layers):
      w = 3 + 6 * layer
      b = biases + 1 + 6 * layer
      p = 4 * layer
      ln1_b : Optional[Tensor] = None
      attn_b : Optional[Tensor] = None
      proj_b : Optional[Tensor] = None
      ln2_b : Optional[Tensor] = None
      fc_b : Optional[Tensor] = None
      out_b : Optional[Tensor] = None
      if has_bias:
        ln1_b = weights[b]
        attn_b = weights[b + 1]
        proj_b = weights[b + 2]
        ln2_b = weights[b + 3]
        fc_b = weights[b + 4]
        out_b = weights[b + 5]
      h = torch.layer_norm(x, [width], weights[w], ln1_b, 1.0e-5, False)
      attention_in = ops.mkldnn._linear_pointwise(h, packed[p], attn_b, "none", [], "") if onednn else torch.linear(h, weights[w + 1], attn_b)
      qkv = torch.view(attention_in, [batch, 3, n_head, head_dim])
      key_value = torch.transpose(torch.narrow(qkv, 1, 1, 2), 1, 2)  # (B, H, 2, hd)
      cache = torch.narrow(caches[layer], 0, 0, batch)
      if aligned:
        torch.copy_(torch.select(cache, 3, torch.sub(span, 1)), key_value)
      else:
        torch.index_put_(cache, [rows, None, None, positions], key_value)
      seen = torch.narrow(cache, 3, 0, span)  # (B, H, 2, span, hd)
      query = torch.unsqueeze(torch.select(qkv, 1, 0), 2)  # (B, H, 1, hd)
      y = torch.scaled_dot_product_attention(query, torch.select(seen, 2, 0), torch.select(seen, 2, 1), mask)
      y = torch.reshape(y, [batch, width])
      x = torch.add(x, ops.mkldnn._linear_pointwise(y, packed[p + 1], proj_b, "none", [], "") if onednn else torch.linear(y, weights[w + 2], proj_b))
      h = torch.layer_norm(x, [width], weights[w + 3], ln2_b, 1.0e-5, False)
      if onednn:
        mlp = ops.mkldnn._linear_pointwise(torch.gelu(ops.mkldnn._linear_pointwise(h, packed[p + 2], fc_b, "none", [], "")), packed[p + 3], out_b, "none", [], "")
      else:
        mlp = torch.linear(torch.gelu(torch.linear(h, weights[w + 4], fc_b)), weights[w + 5], out_b)
      x = torch.add(x, mlp)
    ln_f_b : Optional[Tensor] = None
    if has_bias:
      ln_f_b = weights[biases]
    x = torch.layer_norm(x, [width], weights[2], ln_f_b, 1.0e-5, False)
    if onednn:
      return ops.mkldnn._linear_pointwise(x, packed[torch.len(packed) - 1], None, "none", [], "")
    return torch.linear(x, wte)

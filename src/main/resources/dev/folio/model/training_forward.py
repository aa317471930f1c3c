class TrainingForward(Module):
  # Gpt.forward from position 0, for training and evaluation. Arguments shared with inference.py (GptWeights):
  #   weights: wte, wpe, ln_f, then per layer ln_1, c_attn, c_proj, ln_2, c_fc, mlp c_proj (the gains and matrices);
  #            then, only if shape[2] is 1, ln_f's bias and per layer the same six biases.
  #   shape:   [layers, heads, 1 if biases follow the weights else 0].
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.TrainingForward,
    tokens: Tensor,
    dropout: Tensor,
    shape: Tensor,
    weights: List[Tensor]) -> Tensor:
    # tokens (B,T) → logits (B,T,V), differentiable.
    # Dropout is drawn in the blocks' order (embeddings; per layer attention weights, attention output, MLP output),
    # so a seed gives the blocks' own masks. The layer repeats inference.py's prefill on purpose (TorchScript helper
    # methods read slower there; prefill's empty cache list cannot be passed through DJL's named-array lists).
    layers = int(torch.select(shape, 0, 0))
    n_head = int(torch.select(shape, 0, 1))
    has_bias = bool(torch.select(shape, 0, 2))
    rate = float(torch.item(dropout))
    train = rate > 0.0
    biases = 3 + 6 * layers
    batch = torch.size(tokens, 0)
    time = torch.size(tokens, 1)
    wte = weights[0]
    width = torch.size(wte, 1)
    head_dim = torch.floordiv(width, n_head)
    x = torch.add(torch.embedding(wte, tokens), torch.embedding(weights[1], torch.arange(time)))  # (B,T,C)
    x = torch.dropout(x, rate, train)
    for layer in range(layers):
      w = 3 + 6 * layer
      b = biases + 1 + 6 * layer
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
      qkv = torch.permute(torch.view(torch.linear(h, weights[w + 1], attn_b), [batch, time, 3, n_head, head_dim]), [2, 0, 3, 1, 4])
      y = torch.scaled_dot_product_attention(torch.select(qkv, 0, 0), torch.select(qkv, 0, 1), torch.select(qkv, 0, 2), None, rate, True)
      y = torch.reshape(torch.transpose(y, 1, 2), [batch, time, width])
      x = torch.add(x, torch.dropout(torch.linear(y, weights[w + 2], proj_b), rate, train))
      h = torch.layer_norm(x, [width], weights[w + 3], ln2_b, 1.0e-5, False)
      h = torch.linear(torch.gelu(torch.linear(h, weights[w + 4], fc_b)), weights[w + 5], out_b)
      x = torch.add(x, torch.dropout(h, rate, train))
    ln_f_b : Optional[Tensor] = None
    if has_bias:
      ln_f_b = weights[biases]
    x = torch.layer_norm(x, [width], weights[2], ln_f_b, 1.0e-5, False)
    return torch.linear(x, wte)

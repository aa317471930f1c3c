"""The PyTorch peer of Folio's model: a character-level, nanoGPT-style GPT.

Same architecture, parameter shapes and initialisation as Folio's dev.folio.model.Gpt:
token + learned position embeddings, pre-norm blocks (x + attn(ln_1(x)), x + mlp(ln_2(x))),
one fused q/k/v projection, exact (erf) GELU, final LayerNorm, logits through the token
embedding (weight tying), no biases unless bias=True.

Two inference paths besides the training forward:
  * prefill: the full forward over a prompt that also writes every layer's keys and values into a
    preallocated KVCache and returns the logits of the last position only;
  * decode_step: one new token per row at a given position, attending over the cache;
    decode_step_static is the same with fixed shapes (a position tensor and a mask), for torch.compile.
"""

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int = 65
    block_size: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 256
    dropout: float = 0.0
    bias: bool = False

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


# The benchmark configurations: model shape plus the training recipe Folio runs with them.
CONFIGS = {
    # nanoGPT's CPU recipe ("I only have a macbook").
    "recipe": dict(model=dict(n_layer=4, n_head=4, n_embd=128, block_size=64, dropout=0.0, bias=False),
                   batch_size=12, lr=1e-3, min_lr=1e-4, warmup_steps=100),
    # Folio's default model.
    "default": dict(model=dict(n_layer=4, n_head=4, n_embd=256, block_size=256, dropout=0.0, bias=False),
                    batch_size=16, lr=1.5e-3, min_lr=1.5e-4, warmup_steps=100),
    # The sizes of compare.py --size (docs/performance.md, "Cost as the model grows"), with batches cut to what two cores
    # step through in seconds. nanoGPT's baby GPT (its shakespeare_char config, which trains at 64 rows):
    "baby": dict(model=dict(n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.0, bias=False),
                 batch_size=8, lr=1e-3, min_lr=1e-4, warmup_steps=100),
    # GPT-2 small's shape with the character vocabulary (nanoGPT's gpt2 config, 12 rows of 1024 there):
    "gpt2-small": dict(model=dict(n_layer=12, n_head=12, n_embd=768, block_size=1024, dropout=0.0, bias=False),
                       batch_size=1, lr=6e-4, min_lr=6e-5, warmup_steps=100),
}


def model_config(name: str, vocab_size: int = 65) -> GPTConfig:
    return GPTConfig(vocab_size=vocab_size, **CONFIGS[name]["model"])


class KVCache:
    """Keys and values of every layer, (B, H, block, hd) each, allocated once and written in place."""

    def __init__(self, config: GPTConfig, batch: int, dtype=torch.float32, device=None):
        shape = (batch, config.n_head, config.block_size, config.head_dim)
        self.batch = batch
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(config.n_layer)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(config.n_layer)]


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.dropout = config.dropout

    def _heads(self, t: torch.Tensor, batch: int, time: int) -> torch.Tensor:
        return t.view(batch, time, self.n_head, self.n_embd // self.n_head).transpose(1, 2)  # (B,H,T,hd)

    def forward(self, x: torch.Tensor, cache_k: torch.Tensor = None, cache_v: torch.Tensor = None) -> torch.Tensor:
        """(B,T,C) -> (B,T,C), causal over the T positions. With a cache, positions [0,T) are a prompt
        whose keys and values are also stored for decoding."""
        batch, time, channels = x.shape
        q, k, v = self.c_attn(x).split(channels, dim=2)
        q, k, v = self._heads(q, batch, time), self._heads(k, batch, time), self._heads(v, batch, time)
        if cache_k is not None:
            cache_k[:batch, :, :time] = k
            cache_v[:batch, :, :time] = v
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0, is_causal=True)
        y = y.transpose(1, 2).reshape(batch, time, channels)
        return self.resid_dropout(self.c_proj(y))

    def decode(self, x: torch.Tensor, position: int, cache_k: torch.Tensor, cache_v: torch.Tensor) -> torch.Tensor:
        """One new token per row, all rows at `position`: x (B,1,C) -> (B,1,C). Writes this position's
        key and value into the cache, then attends over positions [0, position]."""
        batch, _, channels = x.shape
        q, k, v = self.c_attn(x).split(channels, dim=2)  # (B,1,C) each
        head_dim = channels // self.n_head
        cache_k[:batch, :, position] = k.view(batch, self.n_head, head_dim)
        cache_v[:batch, :, position] = v.view(batch, self.n_head, head_dim)
        q = q.view(batch, 1, self.n_head, head_dim).transpose(1, 2)  # (B,H,1,hd)
        span = position + 1
        # A single query may see every cached key up to its own position: no mask.
        y = F.scaled_dot_product_attention(q, cache_k[:batch, :, :span], cache_v[:batch, :, :span])  # (B,H,1,hd)
        return self.c_proj(y.view(batch, 1, channels))  # T=1: (B,H,1,hd) is already (B,1,C) in memory


    def decode_static(self, x: torch.Tensor, position: torch.Tensor, visible: torch.Tensor,
                      cache_k: torch.Tensor, cache_v: torch.Tensor) -> torch.Tensor:
        """decode() with shapes that never change, for torch.compile: the position is a (1,) tensor,
        written with index_copy_, and attention runs over the whole cache with `visible` (1,1,1,block)
        masking the positions after it. The cache must hold exactly B rows."""
        batch, _, channels = x.shape
        head_dim = channels // self.n_head
        q, k, v = self.c_attn(x).split(channels, dim=2)
        cache_k.index_copy_(2, position, k.view(batch, self.n_head, 1, head_dim))
        cache_v.index_copy_(2, position, v.view(batch, self.n_head, 1, head_dim))
        q = q.view(batch, 1, self.n_head, head_dim).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, cache_k, cache_v, attn_mask=visible)
        return self.c_proj(y.view(batch, 1, channels))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()  # exact erf GELU
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x, cache_k=None, cache_v=None):
        x = x + self.attn(self.ln_1(x), cache_k, cache_v)
        return x + self.mlp(self.ln_2(x))

    def decode(self, x, position, cache_k, cache_v):
        x = x + self.attn.decode(self.ln_1(x), position, cache_k, cache_v)
        return x + self.mlp(self.ln_2(x))


    def decode_static(self, x, position, visible, cache_k, cache_v):
        x = x + self.attn.decode_static(self.ln_1(x), position, visible, cache_k, cache_v)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        # Positions 0..block-1, kept so that no forward pass has to create them.
        self.register_buffer("positions", torch.arange(config.block_size), persistent=False)
        self._init_weights()

    def _init_weights(self):
        std = 0.02
        residual_std = std / math.sqrt(2 * self.config.n_layer)
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=residual_std if name.endswith("c_proj") else std)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=std)
        # LayerNorm keeps torch's defaults: weight 1, bias 0.

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def _embed(self, idx: torch.Tensor) -> torch.Tensor:
        time = idx.shape[1]
        if time > self.config.block_size:
            raise ValueError(f"sequence of {time} exceeds the context window of {self.config.block_size}")
        return self.drop(self.wte(idx) + self.wpe(self.positions[:time]))

    def _logits(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(self.ln_f(x), self.wte.weight)  # tied: logits = ln_f(x) @ wte^T

    def forward(self, idx: torch.Tensor, targets: torch.Tensor = None):
        """Training/evaluation forward: idx (B,T) -> logits (B,T,V) and, given targets, the mean
        cross-entropy loss (else None)."""
        x = self._embed(idx)
        for block in self.h:
            x = block(x)
        logits = self._logits(x)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    def prefill(self, idx: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """A prompt at positions [0,T) for B rows: fills the cache, returns the last position's logits (B,V)."""
        x = self._embed(idx)
        for i, block in enumerate(self.h):
            x = block(x, cache.keys[i], cache.values[i])
        return self._logits(x[:, -1])

    def decode_step(self, tokens: torch.Tensor, position: int, cache: KVCache) -> torch.Tensor:
        """tokens (B,) at `position` (the same for every row; earlier positions already cached) -> logits (B,V)."""
        if not 0 <= position < self.config.block_size:
            raise ValueError(f"position {position} is outside the context window of {self.config.block_size}")
        x = (self.wte(tokens) + self.wpe.weight[position]).unsqueeze(1)  # (B,1,C)
        for i, block in enumerate(self.h):
            x = block.decode(x, position, cache.keys[i], cache.values[i])
        return self._logits(x[:, 0])

    def decode_step_static(self, tokens: torch.Tensor, position: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """decode_step for torch.compile: `position` is a (1,) long tensor (the caller updates it in
        place), so every step has the same shapes and the compiled graph is reused. Attends over the
        whole preallocated cache with a mask; the cache must have exactly B rows."""
        x = (self.wte(tokens) + self.wpe(position)).unsqueeze(1)  # (B,1,C)
        visible = (self.positions <= position).view(1, 1, 1, -1)  # (1,1,1,block): keys at or before the position
        for i, block in enumerate(self.h):
            x = block.decode_static(x, position, visible, cache.keys[i], cache.values[i])
        return self._logits(x[:, 0])


def optimizer_groups(model: nn.Module, weight_decay: float):
    """Weight decay on 2-D parameters (matrices and embeddings) only, none on LayerNorm weights or biases."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]

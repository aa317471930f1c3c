"""What a reduced-precision KV cache would cost in accuracy: Folio's bundled model (from its Hugging Face export), decoded
teacher-forced over windows of the validation split (the corpus's last 10%) with its keys and values kept in float32,
bfloat16 or float16 and widened to float32 for attention. Prints the validation loss for each and the largest logit
difference from the float32 cache, relative to the logits' largest magnitude. Outside CI; torch only.

    java -Dai.djl.offline=true -jar target/folio.jar export --model shakespeare-char --format hf --out target/hf-bundled
    target/pytorch-venv/bin/python bench/pytorch/kv_precision.py target/hf-bundled [--windows 32] [--corpus PATH]
"""
import argparse
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as peer  # noqa: E402

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """name -> tensor; the format is an 8-byte header length, a JSON header, then the raw little-endian data."""
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[start:end]), dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"]).clone()
    return tensors


def load(export_dir):
    with open(os.path.join(export_dir, "config.json")) as f:
        hf = json.load(f)
    config = peer.GPTConfig(vocab_size=hf["vocab_size"], n_layer=hf["n_layer"], n_head=hf["n_head"], n_embd=hf["n_embd"],
                            block_size=hf["n_positions"], dropout=0.0, bias=True)
    gpt = peer.GPT(config).eval()
    weights = read_safetensors(os.path.join(export_dir, "model.safetensors"))
    state = {}
    for name, tensor in weights.items():
        name = name.removeprefix("transformer.")
        if name.endswith(".attn.bias") or name.endswith(".attn.masked_bias") or name == "lm_head.weight":
            continue
        if any(name.endswith(f"{part}.weight") for part in ("c_attn", "c_proj", "c_fc")):
            tensor = tensor.t()  # GPT-2's Conv1D keeps (in, out); Linear (out, in)
        state[name] = tensor
    missing, unexpected = gpt.load_state_dict(state, strict=False)
    missing = [m for m in missing if m != "positions"]
    if missing or unexpected:
        raise SystemExit(f"weights do not match: missing {missing}, unexpected {unexpected}")
    return gpt, config


def decode_losses(gpt, config, windows, cache_dtype):
    """Teacher-forced decoding over each window: every position's logits, with the cache stored in cache_dtype."""
    batch, length = windows.shape
    keys = [torch.zeros(batch, config.n_head, length, config.head_dim, dtype=cache_dtype) for _ in range(config.n_layer)]
    values = [torch.zeros_like(k) for k in keys]
    logits = []
    for position in range(length - 1):
        x = (gpt.wte(windows[:, position]) + gpt.wpe.weight[position]).unsqueeze(1)
        for layer, block in enumerate(gpt.h):
            attn = block.attn
            h = block.ln_1(x)
            q, k, v = attn.c_attn(h).split(config.n_embd, dim=2)
            keys[layer][:, :, position] = k.view(batch, config.n_head, config.head_dim)
            values[layer][:, :, position] = v.view(batch, config.n_head, config.head_dim)
            q = q.view(batch, 1, config.n_head, config.head_dim).transpose(1, 2)
            span = position + 1
            y = F.scaled_dot_product_attention(q, keys[layer][:, :, :span].float(), values[layer][:, :, :span].float())
            x = x + attn.c_proj(y.reshape(batch, 1, config.n_embd))
            x = x + block.mlp(block.ln_2(x))
        logits.append(gpt._logits(x[:, 0]))
    logits = torch.stack(logits, 1)  # (B, T-1, V)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), windows[:, 1:].reshape(-1)).item()
    return loss, logits


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("export")
    parser.add_argument("--corpus", default="../shared/data/tinyshakespeare.txt")
    parser.add_argument("--windows", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(2)
    gpt, config = load(args.export)
    with open(os.path.join(args.export, "tokenizer.json")) as f:
        vocab = json.load(f)["model"]["vocab"]
    with open(args.corpus) as f:
        text = f.read()
    val = text[int(len(text) * 0.9):]
    ids = torch.tensor([vocab[c] for c in val], dtype=torch.long)
    length = config.block_size
    stride = (len(ids) - length) // args.windows
    windows = torch.stack([ids[i * stride:i * stride + length] for i in range(args.windows)])
    with torch.no_grad():
        reference_loss, reference = decode_losses(gpt, config, windows, torch.float32)
        full, _ = gpt(windows[:, :-1])
        print(f"{args.windows} windows × {length - 1} positions of the validation split; logits' largest |value| {reference.abs().max():.3g}")
        print(f"float32 cache: validation loss {reference_loss:.5f} (the full forward pass, no cache: differs by at most "
              f"{(full - reference).abs().max() / reference.abs().max():.1e} of the largest logit)")
        for name, dtype in (("bfloat16", torch.bfloat16), ("float16", torch.float16)):
            loss, logits = decode_losses(gpt, config, windows, dtype)
            worst = (logits - reference).abs().max() / reference.abs().max()
            print(f"{name} cache: validation loss {loss:.5f} ({loss - reference_loss:+.5f}); largest logit difference {worst:.2e} of the largest logit")


if __name__ == "__main__":
    main()

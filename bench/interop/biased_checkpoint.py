"""Writes a nanoGPT checkpoint with biases (bias=True) as train.py saves one, from nanoGPT's own model.py, with every
weight and bias drawn at random (nanoGPT starts biases at 0, which would hide one put in the wrong place):

  biased_checkpoint.py NANOGPT_CHECKOUT OUT_DIR      # then: bench/interop/check.sh NANOGPT_CHECKOUT OUT_DIR
"""
import os
import pickle
import sys

import torch

checkout, out_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, checkout)
from model import GPT, GPTConfig  # nanoGPT's model.py

with open(os.path.join(checkout, "data", "shakespeare_char", "meta.pkl"), "rb") as f:
    vocab_size = pickle.load(f)["vocab_size"]
torch.manual_seed(1)
args = dict(n_layer=2, n_head=4, n_embd=64, block_size=64, bias=True, vocab_size=vocab_size, dropout=0.0)
model = GPT(GPTConfig(**args))
with torch.no_grad():
    for name, p in model.named_parameters():
        p.add_(torch.randn_like(p) * 0.1)
compiled = torch.compile(model)  # its state dict carries the _orig_mod. prefix, as train.py's with compile=True
os.makedirs(os.path.join(checkout, out_dir), exist_ok=True)
torch.save({"model": compiled.state_dict(), "optimizer": model.configure_optimizers(0.1, 1e-3, (0.9, 0.99), "cpu").state_dict(),
            "model_args": args, "iter_num": 0, "best_val_loss": torch.tensor(9.9), "config": {"dataset": "shakespeare_char"}},
           os.path.join(checkout, out_dir, "ckpt.pt"))
print("wrote", os.path.join(checkout, out_dir, "ckpt.pt"))

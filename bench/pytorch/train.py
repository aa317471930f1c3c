"""Trains the peer model from scratch with Folio's recipe and prints one JSON line of timings.

    target/pytorch-venv/bin/python bench/pytorch/train.py --config recipe --steps 300 [--compile]

Timed region: from just before the first step to just after the last one, data sampling included,
model construction, corpus loading (and, with --compile, nothing else: compilation happens inside
the first steps, as a user lives it) excluded.
"""

import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as peer  # noqa: E402

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "tinyshakespeare.txt")
TRAIN_FRACTION = 0.9


def load_corpus(path: str):
    """The encoded corpus split 90/10, and its vocabulary (every distinct character, sorted)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    vocabulary = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocabulary)}
    ids = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    cut = int(len(ids) * TRAIN_FRACTION)
    return ids[:cut], ids[cut:], vocabulary


class BatchSampler:
    """Random windows of block+1 tokens: x the first block tokens, y the same shifted by one."""

    def __init__(self, data: torch.Tensor, block: int, batch: int, generator: torch.Generator):
        self.data = data
        self.batch = batch
        self.block = block
        self.generator = generator

    def sample(self):
        starts = torch.randint(len(self.data) - self.block, (self.batch,), generator=self.generator).tolist()
        x = torch.stack([self.data[i:i + self.block] for i in starts])
        y = torch.stack([self.data[i + 1:i + 1 + self.block] for i in starts])
        return x, y


def learning_rate(step: int, max_steps: int, lr: float, min_lr: float, warmup: int) -> float:
    """Learning rate for update number `step` (1-based, as Folio asks its tracker): linear warm-up from 0
    over `warmup` updates, then a half cosine from lr down to min_lr at max_steps."""
    if step < warmup:
        return lr * step / warmup
    if step >= max_steps:
        return min_lr
    progress = (step - warmup) / max(1, max_steps - warmup)
    return min_lr + 0.5 * (lr - min_lr) * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model, lr, weight_decay, betas, kind):
    groups = peer.optimizer_groups(model, weight_decay)
    if kind == "fused":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, fused=True)
    if kind == "foreach":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, foreach=True)
    return torch.optim.AdamW(groups, lr=lr, betas=betas, foreach=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(peer.CONFIGS), default="recipe")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--compile", action="store_true", help="wrap the model in torch.compile")
    # fused=True works on CPU in torch 2.13 and is the default: in alternating 50-step recipe runs on this
    # 2-core machine it took 37-41 ms/step against foreach's ~44 (the optimizer is a visible share of a
    # recipe step); in the default config the optimizer is lost in the noise of a ~600 ms step.
    parser.add_argument("--optimizer", choices=["fused", "foreach", "for-loop"], default="fused")
    parser.add_argument("--eval-batches", type=int, default=0, help="after the timed run, mean val loss over N batches (0: skip)")
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--grad-clip", type=float, default=1.0)
    parser.add_argument("--lr", type=float, help="peak learning rate (default: the config's)")
    parser.add_argument("--min-lr", type=float, help="final learning rate (default: the config's)")
    parser.add_argument("--warmup-steps", type=int, help="linear warm-up updates (default: the config's, 100)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    recipe = dict(peer.CONFIGS[args.config])
    for key in ("lr", "min_lr", "warmup_steps"):
        if getattr(args, key) is not None:
            recipe[key] = getattr(args, key)

    train_data, val_data, vocabulary = load_corpus(args.corpus)
    config = peer.model_config(args.config, vocab_size=len(vocabulary))
    model = peer.GPT(config)
    model.train()
    optimizer = make_optimizer(model, recipe["lr"], args.weight_decay, (0.9, 0.99), args.optimizer)
    params = [p for p in model.parameters() if p.requires_grad]

    forward = model
    mode = "eager"
    if args.compile:
        mode = "compile"
        try:
            forward = torch.compile(model)
        except Exception as e:  # noqa: BLE001 - report whatever torch raises
            print(f"torch.compile is not available here: {type(e).__name__}: {e}", file=sys.stderr)
            return 2

    generator = torch.Generator().manual_seed(args.seed)
    sampler = BatchSampler(train_data, config.block_size, recipe["batch_size"], generator)

    first_window = min(100, args.steps)
    first_window_s = None
    loss = None
    start = time.perf_counter()
    try:
        for step in range(args.steps):
            lr = learning_rate(step + 1, args.steps, recipe["lr"], recipe["min_lr"], recipe["warmup_steps"])
            for group in optimizer.param_groups:
                group["lr"] = lr
            x, y = sampler.sample()
            _, loss = forward(x, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, args.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if step + 1 == first_window:
                first_window_s = time.perf_counter() - start  # CPU ops are synchronous: this is real time
    except Exception as e:  # noqa: BLE001
        if args.compile:
            print(f"torch.compile failed on this machine: {type(e).__name__}: {str(e).strip()[:2000]}", file=sys.stderr)
            return 2
        raise
    wall = time.perf_counter() - start

    result = {
        "peer": "pytorch",
        "mode": mode,
        "config": args.config,
        "steps": args.steps,
        "threads": args.threads,
        "optimizer": args.optimizer,
        "lr": recipe["lr"],
        "min_lr": recipe["min_lr"],
        "warmup_steps": recipe["warmup_steps"],
        "torch": torch.__version__,
        "wall_s": round(wall, 3),
        "ms_per_step": round(1000 * wall / args.steps, 3) if args.steps else None,
        "first_100_ms_per_step": round(1000 * first_window_s / first_window, 3) if first_window_s else None,
        "first_window_steps": first_window,
        "after_first_100_ms_per_step": (round(1000 * (wall - first_window_s) / (args.steps - first_window), 3)
                                        if first_window_s and args.steps > first_window else None),
        "final_loss": round(loss.item(), 4) if loss is not None else None,
    }
    if args.eval_batches > 0:
        model.eval()
        val_sampler = BatchSampler(val_data, config.block_size, recipe["batch_size"], generator)
        with torch.inference_mode():
            losses = [model(*val_sampler.sample())[1].item() for _ in range(args.eval_batches)]
        result["val_loss"] = round(sum(losses) / len(losses), 4)
        result["eval_batches"] = args.eval_batches
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

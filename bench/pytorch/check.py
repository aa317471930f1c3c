"""Quick self-checks of the peer (seconds):
  1. after a prefill, every decode_step's logits equal the full forward's last-position logits (batch 2);
  2. 20 training steps of the recipe reduce the loss.

    target/pytorch-venv/bin/python bench/pytorch/check.py
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as peer  # noqa: E402
import train  # noqa: E402

TOLERANCE = 1e-4


def check_decoding() -> bool:
    torch.manual_seed(0)
    config = peer.model_config("default")
    model = peer.GPT(config).eval()
    batch, prompt_len, steps = 2, 7, 6
    sequence = torch.randint(config.vocab_size, (batch, prompt_len + steps))
    cache = peer.KVCache(config, batch)
    ok = True
    with torch.inference_mode():
        logits = model.prefill(sequence[:, :prompt_len], cache)
        for i in range(steps + 1):
            full = model(sequence[:, :prompt_len + i])[0][:, -1]
            diff = (logits - full).abs().max().item()
            ok &= diff <= TOLERANCE
            print(f"decode: position {prompt_len + i - 1:3d}, max |cached - full| = {diff:.2e}"
                  f"{'' if diff <= TOLERANCE else '  > ' + str(TOLERANCE)}")
            if i < steps:
                logits = model.decode_step(sequence[:, prompt_len + i], prompt_len + i, cache)
        # The prefill's keys must also match those the decode path writes: rerun position by position.
        stepwise = peer.KVCache(config, batch)
        model.prefill(sequence[:, :1], stepwise)
        for p in range(1, prompt_len + steps):
            model.decode_step(sequence[:, p], p, stepwise)
        span = prompt_len + steps
        cache_diff = max((a[:, :, :span] - b[:, :, :span]).abs().max().item()
                         for a, b in zip(cache.keys + cache.values, stepwise.keys + stepwise.values))
        ok &= cache_diff <= TOLERANCE
        print(f"decode: prefill cache vs token-by-token cache, max diff {cache_diff:.2e}")
        # The fixed-shape path (for torch.compile) must agree with the sliced one.
        static = peer.KVCache(config, batch)
        model.prefill(sequence[:, :prompt_len], static)
        position = torch.zeros(1, dtype=torch.long)
        static_diff = 0.0
        for p in range(prompt_len, prompt_len + steps):
            position.fill_(p)
            static_diff = max(static_diff, (model.decode_step_static(sequence[:, p], position, static)
                                            - model(sequence[:, :p + 1])[0][:, -1]).abs().max().item())
        ok &= static_diff <= TOLERANCE
        print(f"decode: decode_step_static vs full forward, max diff {static_diff:.2e}")
    return ok


def check_training() -> bool:
    torch.manual_seed(1337)
    train_data, _, vocabulary = train.load_corpus(train.DEFAULT_CORPUS)
    recipe = peer.CONFIGS["recipe"]
    config = peer.model_config("recipe", vocab_size=len(vocabulary))
    model = peer.GPT(config).train()
    optimizer = train.make_optimizer(model, recipe["lr"], 0.1, (0.9, 0.99), "fused")
    sampler = train.BatchSampler(train_data, config.block_size, recipe["batch_size"], torch.Generator().manual_seed(1337))
    fixed = sampler.sample()  # the same batch measured before and after
    with torch.no_grad():
        before = model(*fixed)[1].item()
    steps = 20
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = train.learning_rate(step + 1, steps, recipe["lr"], recipe["min_lr"], 5)
        _, loss = model(*sampler.sample())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    with torch.no_grad():
        after = model(*fixed)[1].item()
    print(f"train: loss on a fixed batch {before:.4f} -> {after:.4f} after {steps} steps (ln 65 = 4.174)")
    return after < before - 0.1


def main() -> int:
    torch.set_num_threads(1)  # a correctness check: one thread is immune to a busy machine's OpenMP stalls
    results = {"decode": check_decoding(), "train": check_training()}
    for name, ok in results.items():
        print(f"{name}: {'OK' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

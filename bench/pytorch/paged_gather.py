"""One layer of a batch-32 decoding step at GPT-2 small's shape over 306 positions: attention over a contiguous view
of the cache (Folio's SlotKvCache, which grows by doubling) against gathering each row's 16-position blocks from a pool
first (a paged cache without a paged-attention kernel). docs/performance.md, "KV memory that grows with use".

    target/pytorch-venv/bin/python bench/pytorch/paged_gather.py
"""
import statistics
import time

import torch

torch.set_num_threads(2)
B, H, hd, span, block = 32, 12, 64, 306, 16
nblocks = (span + block - 1) // block
view_cache = torch.randn(B, H, 2, 320, hd)
table = torch.randperm(B * nblocks).view(B, nblocks)
pool = torch.randn(B * nblocks + 8, H, 2, block, hd)  # the usual layout: block-major
pool_in_order = torch.randn(H, 2, B * nblocks + 8, block, hd)  # one index_select yields every row's span in order
q = torch.randn(B, H, 1, hd)


def attend(seen):
    return torch.nn.functional.scaled_dot_product_attention(q, seen.select(2, 0), seen.select(2, 1))


def doubling():
    return attend(view_cache.narrow(3, 0, span))


def paged():
    gathered = pool.index_select(0, table.flatten()).view(B, nblocks, H, 2, block, hd)
    return attend(gathered.permute(0, 2, 3, 1, 4, 5).reshape(B, H, 2, nblocks * block, hd).narrow(3, 0, span))


def paged_one_copy():
    gathered = pool_in_order.index_select(2, table.flatten()).view(H, 2, B, nblocks * block, hd)
    return attend(gathered.permute(2, 0, 1, 3, 4).narrow(3, 0, span))


def alternate(name, other, pairs=15):
    """Medians of alternating pairs: doubling's time, the other's, and their ratio."""
    other()
    times = []
    for _ in range(pairs):
        t = time.perf_counter()
        doubling()
        a = time.perf_counter() - t
        t = time.perf_counter()
        other()
        times.append((a, time.perf_counter() - t))
    print(f"one layer, batch {B}, {span} positions: doubling {1000 * statistics.median(p[0] for p in times):.2f} ms, {name} "
          f"{1000 * statistics.median(p[1] for p in times):.2f} ms, ratio {statistics.median(p[1] / p[0] for p in times):.2f} "
          f"(medians of {pairs} alternating pairs)")


with torch.inference_mode():
    doubling()
    alternate("paged gather", paged)
    alternate("paged one-copy gather", paged_one_copy)

# One layer of a batch-32 decoding step at GPT-2 small's shape, 306 positions: attention over a contiguous view (doubling)
# against gathering each row's 16-position blocks from a pool first (paged, without a paged-attention kernel).
import time, statistics, torch
torch.set_num_threads(2)
B, H, hd, span, block = 32, 12, 64, 306, 16
nblocks = (span + block - 1) // block
view_cache = torch.randn(B, H, 2, 320, hd)
pool = torch.randn(B * nblocks + 8, H, 2, block, hd)
table = torch.randperm(B * nblocks).view(B, nblocks)
q = torch.randn(B, H, 1, hd)
def doubling():
    seen = view_cache.narrow(3, 0, span)
    return torch.nn.functional.scaled_dot_product_attention(q, seen.select(2, 0), seen.select(2, 1))
def paged():
    g = pool.index_select(0, table.flatten()).view(B, nblocks, H, 2, block, hd).permute(0, 2, 3, 1, 4, 5).reshape(B, H, 2, nblocks * block, hd)
    seen = g.narrow(3, 0, span)
    return torch.nn.functional.scaled_dot_product_attention(q, seen.select(2, 0), seen.select(2, 1))
with torch.inference_mode():
    for f in (doubling, paged): f()
    pairs = []
    for _ in range(15):
        t = time.perf_counter(); doubling(); a = time.perf_counter() - t
        t = time.perf_counter(); paged(); b = time.perf_counter() - t
        pairs.append((a, b))
print("one layer, batch 32, 306 positions: doubling %.2f ms, paged gather %.2f ms, ratio %.2f (medians of 15 alternating pairs)" % (
    1000 * statistics.median(p[0] for p in pairs), 1000 * statistics.median(p[1] for p in pairs), statistics.median(p[1] / p[0] for p in pairs)))
# the fairest layout without a kernel: a pool (H, 2, blocks, block, hd), so one index_select gives every row's span in order
pool2 = torch.randn(H, 2, B * nblocks + 8, block, hd)
def paged_one_copy():
    g = pool2.index_select(2, table.flatten()).view(H, 2, B, nblocks * block, hd).permute(2, 0, 1, 3, 4)
    seen = g.narrow(3, 0, span)
    return torch.nn.functional.scaled_dot_product_attention(q, seen.select(2, 0), seen.select(2, 1))
with torch.inference_mode():
    paged_one_copy()
    pairs = []
    for _ in range(15):
        t = time.perf_counter(); doubling(); a = time.perf_counter() - t
        t = time.perf_counter(); paged_one_copy(); b = time.perf_counter() - t
        pairs.append((a, b))
print("one layer, batch 32, 306 positions: doubling %.2f ms, paged one-copy gather %.2f ms, ratio %.2f (medians of 15 alternating pairs)" % (
    1000 * statistics.median(p[0] for p in pairs), 1000 * statistics.median(p[1] for p in pairs), statistics.median(p[1] / p[0] for p in pairs)))

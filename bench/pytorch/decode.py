"""Decoding speed of the peer with its preallocated KV cache, as Folio's dev.folio.bench.DecodeSpeed measures it.

    target/pytorch-venv/bin/python bench/pytorch/decode.py --batch 1 8 32 [--compile]

Random-initialised weights of the "default" config (speed does not depend on the values). For each
batch size B: a warm-up generation, then (--repeats times, median reported) B rows of a --prompt-len token prompt are prefilled
together and --tokens tokens are sampled per row (temperature 0.8, softmax, torch.multinomial): the
prefill yields the first token, then --tokens - 1 decode steps the rest, as Folio counts 200 tokens.
Also the time to first token (prefill + greedy pick) of a --ttft-prompt-len token prompt at batch 1.

Threads as Folio's DecodeScheduler(..., intraOpThreads=--threads) sets them, with the peer's own threshold:
prefills use --threads; a decode step of fewer than --small-batch rows uses 1 thread (many small ops, where
OpenMP hand-offs cost more than they share), larger batches --threads. --threads 1 means 1 everywhere.
Prints one JSON line per figure.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as peer  # noqa: E402


class Decoder:
    """Prefill and decode functions of one model, eager or compiled, plus the thread rule."""

    def __init__(self, model: peer.GPT, threads: int, small_batch: int, compiled: bool):
        self.model = model
        self.threads = threads
        self.small_batch = small_batch
        self.compiled = compiled
        if compiled:
            # Fixed shapes: the position is a tensor updated in place and attention is masked over the
            # whole cache, so each batch size compiles once. (decode_step's Python-int position would
            # make Dynamo recompile at every new position until it hits its recompile limit.)
            self.prefill = torch.compile(model.prefill, dynamic=False)
            self.decode_step = torch.compile(model.decode_step_static, dynamic=False)
            self.position = torch.zeros(1, dtype=torch.long)
        else:
            self.prefill = model.prefill
            self.decode_step = model.decode_step

    def decode_threads(self, batch: int) -> int:
        return 1 if batch < self.small_batch else self.threads

    @torch.inference_mode()
    def generate(self, prompt: torch.Tensor, tokens: int, cache: peer.KVCache, generator: torch.Generator,
                 temperature: float, out: torch.Tensor) -> torch.Tensor:
        """prompt (B,P) -> out (tokens, B): sampled ids, row i being the i-th new token of every sequence."""
        batch, length = prompt.shape
        torch.set_num_threads(self.threads)
        logits = self.prefill(prompt, cache)
        torch.set_num_threads(self.decode_threads(batch))
        token = sample(logits, temperature, generator)  # (B,)
        out[0] = token
        for i in range(1, tokens):
            if self.compiled:
                self.position.fill_(length + i - 1)
                logits = self.decode_step(token, self.position, cache)
            else:
                logits = self.decode_step(token, length + i - 1, cache)
            token = sample(logits, temperature, generator)
            out[i] = token
        return out

    @torch.inference_mode()
    def first_token(self, prompt: torch.Tensor, cache: peer.KVCache) -> torch.Tensor:
        torch.set_num_threads(self.threads)
        return self.prefill(prompt, cache).argmax(dim=-1)  # greedy, as Folio's TTFT request


def sample(logits: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
    """One id per row of (B,V) logits."""
    probs = torch.softmax(logits.div_(temperature), dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze_(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--tokens", type=int, default=200, help="tokens generated per row")
    parser.add_argument("--prompt-len", type=int, default=6, help="prompt length in tokens ('ROMEO:' is 6)")
    parser.add_argument("--threads", type=int, default=2, help="threads for prefills and batches of --small-batch rows or more")
    parser.add_argument("--small-batch", type=int, default=8, help="below this many rows a decode step uses 1 thread")
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per batch size after a warm-up run; the median is reported")
    parser.add_argument("--ttft-prompt-len", type=int, default=256,
                        help="prompt of the time-to-first-token figure (Folio's is 256 characters = 256 tokens; 0: skip)")
    parser.add_argument("--ttft-runs", type=int, default=20)
    parser.add_argument("--ttft-warmup", type=int, default=5)
    parser.add_argument("--config", choices=sorted(peer.CONFIGS), default="default")
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--compile", action="store_true", help="torch.compile the prefill and the decode step")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    config = peer.model_config(args.config)
    if args.prompt_len + args.tokens - 1 > config.block_size:
        parser.error(f"prompt {args.prompt_len} + {args.tokens} tokens do not fit the context window of {config.block_size}")
    model = peer.GPT(config).eval()
    mode = "compile" if args.compile else "eager"
    decoder = Decoder(model, args.threads, args.small_batch, args.compile)
    generator = torch.Generator().manual_seed(args.seed)
    base = {"peer": "pytorch", "mode": mode, "torch": torch.__version__}

    try:
        if args.ttft_prompt_len > 0:
            prompt = torch.randint(config.vocab_size, (1, args.ttft_prompt_len), generator=generator)
            cache = peer.KVCache(config, 1)
            times = []
            for i in range(args.ttft_warmup + args.ttft_runs):
                start = time.perf_counter()
                decoder.first_token(prompt, cache)
                if i >= args.ttft_warmup:
                    times.append(1000 * (time.perf_counter() - start))
            print(json.dumps({**base, "metric": "ttft_ms", "value": round(statistics.median(times), 3),
                              "prompt_tokens": args.ttft_prompt_len, "threads": args.threads,
                              "runs": args.ttft_runs, "warmup": args.ttft_warmup}), flush=True)

        for batch in args.batch:
            prompt = torch.randint(config.vocab_size, (batch, args.prompt_len), generator=generator)
            cache = peer.KVCache(config, batch)
            out = torch.empty(args.tokens, batch, dtype=torch.long)
            decoder.generate(prompt, args.tokens, cache, generator, args.temperature, out)  # warm-up, full length
            runs = []
            for _ in range(args.repeats):  # the median of these, as Folio's DecodeSpeed reports
                start = time.perf_counter()
                decoder.generate(prompt, args.tokens, cache, generator, args.temperature, out)
                runs.append(time.perf_counter() - start)
            elapsed = statistics.median(runs)
            print(json.dumps({**base, "batch": batch, "tokens": args.tokens,
                              "tokens_per_s": round(batch * args.tokens / elapsed, 2),
                              "ms_per_step": round(1000 * elapsed / args.tokens, 3),
                              "prompt_tokens": args.prompt_len, "prefill_threads": args.threads,
                              "decode_threads": decoder.decode_threads(batch)}), flush=True)
    except Exception as e:  # noqa: BLE001
        if args.compile:
            print(f"torch.compile failed on this machine: {type(e).__name__}: {str(e).strip()[:2000]}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())

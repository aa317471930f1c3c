"""Folio against its PyTorch peer, run alternately, on the same machine.

    bench/pytorch/setup.sh
    target/pytorch-venv/bin/python bench/pytorch/compare.py --pairs 3 [--size bundled|baby|gpt2-small] [--only train|decode] [--compile] [--memory]

--size picks the model: the bundled one (4 x 256; training runs nanoGPT's CPU recipe and the default config), nanoGPT's
baby GPT (6 x 384, context 256) or GPT-2 small's shape (12 x 768, context 1024), both with the character vocabulary and
randomly initialised (a one-step `train` run makes them into target/bench/stores/ once; speed does not depend on the
values). Decoding rows come with the floor DecodeSpeed measures in the same run (bytes read at the measured bandwidth,
FLOPs at the measured matrix-product rate, whichever is larger). --memory adds the resident memory of a packaged
server holding the model: idle, and at the peak of 32 and 64 streams of 300 tokens (dev.folio.bench.ServerMemory; once,
not in pairs: memory does not drift with the machine's load).

Each pair runs every figure once on each side, Folio first in even pairs and the peer first in odd
ones, so that a slow drift of the machine falls on both. The table shows each side's median and the
median of the per-pair "Folio speed-up": the peer's time over Folio's, or Folio's rate over the
peer's, so that above 1 always means Folio is ahead. Raw results go to target/bench/pytorch-compare.json.

Standard library only; run it from anywhere with any python3 (the peer itself runs in the venv).
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PEER_DIR = os.path.join(ROOT, "bench", "pytorch")
CORPUS = "../shared/data/tinyshakespeare.txt"  # relative to the repository root
VENV_PYTHON = os.path.join(ROOT, "target", "pytorch-venv", "bin", "python")
OUTPUT = os.path.join(ROOT, "target", "bench", "pytorch-compare.json")
JAVA = ["java", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"]
# docs/training.md's training command: the CLI trains on the client compiler only (C2's compiler threads take a core from
# libtorch's two threads for the first seconds of a run; docs/performance.md, "The quick compiler for training").
TRAIN_JVM = ["-XX:TieredStopAtLevel=1"]
BUILD_HINT = ("./mvnw -q -B package -DskipTests && ./mvnw -q -B dependency:build-classpath "
              "-Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test")

# Training runs: Folio's CLI flags and the peer's, for the same recipe.
TRAIN_COMMON = ["--dropout", "0", "--weight-decay", "0.1", "--beta1", "0.9",
                "--beta2", "0.99", "--grad-clip", "1.0", "--eval-batches", "1", "--checkpoint-interval", "0", "--seed", "1337"]
TRAIN = {
    "recipe": dict(folio=["--n-layer", "4", "--n-head", "4", "--n-embd", "128", "--block-size", "64", "--batch-size", "12", "--lr", "1e-3", "--min-lr", "1e-4"],
                   warmup=100),
    # Folio refuses warm-up >= max steps, so the short default-config run warms up over 10 steps (both sides).
    "default": dict(folio=["--n-layer", "4", "--n-head", "4", "--n-embd", "256", "--block-size", "256", "--batch-size", "16", "--lr", "1.5e-3", "--min-lr", "1.5e-4"],
                    warmup=10),
    # the larger sizes: bench/pytorch/model.py's configs of the same names
    "baby": dict(folio=["--n-layer", "6", "--n-head", "6", "--n-embd", "384", "--block-size", "256", "--batch-size", "8", "--lr", "1e-3",
                        "--min-lr", "1e-4"], warmup=5),
    "gpt2-small": dict(folio=["--n-layer", "12", "--n-head", "12", "--n-embd", "768", "--block-size", "1024", "--batch-size", "1",
                              "--lr", "6e-4", "--min-lr", "6e-5"], warmup=2),
}
# --size: the training configs it runs (with their step counts' option), and the store DecodeSpeed loads it from
SIZES = {
    "bundled": dict(train=[("recipe", "recipe_steps"), ("default", "default_steps")], store=None),
    "baby": dict(train=[("baby", "size_steps")], store=("target/bench/stores", "baby")),
    "gpt2-small": dict(train=[("gpt2-small", "size_steps")], store=("target/bench/stores", "gpt2-small")),
}
SIZE_STEPS = {"baby": 20, "gpt2-small": 6}
# tokens per decoding request and timed runs per batch size: a gpt2-small step takes about a second on two cores
DECODE_TOKENS = {"gpt2-small": (50, 1)}
FOLIO_FLOOR_LINE = re.compile(r"floor, batch\s+(\d+): ([\d.]+) ms per step \(([\w-]+): .*?, ([\d.]+) tokens/s; Folio at ([\d.]+)× the floor")
FOLIO_CEILINGS_LINE = re.compile(r"ceilings: read bandwidth ([\d.]+) GB/s, float32 matrix product ([\d.]+) GFLOP/s")
MEMORY_IDLE_LINE = re.compile(r"idle: RSS (\d+) MB")
MEMORY_STREAMS_LINE = re.compile(r"(\d+) streams × (\d+) tokens: peak RSS (\d+) MB \(KV held then (-?\d+) MB; most KV held (-?\d+) MB")
FOLIO_TRAIN_LINE = re.compile(r"steps (\d+), wall ([\d.]+) s, ([\d.]+) ms/step \(evaluations excluded\), ([\d.]+) tokens/s")
FOLIO_STEP_LOG = re.compile(r"step 100/\d+: .*?, ([\d.]+) tokens/s")
FOLIO_TTFT_LINE = re.compile(r"time to first token, 256-character prompt: ([\d.]+) ms")
FOLIO_TTFT_FLOOR_LINE = re.compile(r"floor, time to first token: ([\d.]+) ms \(([\w-]+): .*?Folio at ([\d.]+)× the floor")
FOLIO_DECODE_LINE = re.compile(r"intra-op threads (\d+), batch\s+(\d+) × (\d+) tokens:\s+([\d.]+) tokens/s aggregate, ([\d.]+) ms per step")


def log(message: str):
    print(message, file=sys.stderr, flush=True)


PEER_ENV = {}  # --peer-env additions


def run(command, timeout, env=None):
    """Runs a command from the repository root; (ok, combined output, seconds)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                              env=None if env is None else {**os.environ, **env})
        output, ok = done.stdout, done.returncode == 0
    except subprocess.TimeoutExpired as e:
        output, ok = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), False
        output += f"\n[timed out after {timeout} s]"
    return ok, output, time.perf_counter() - start


def json_lines(output: str):
    rows = []
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return rows


# ---- Folio -------------------------------------------------------------------------------------

def warmup_steps(config: str, steps: int) -> int:
    """The recipe's warm-up, or a quarter of the run when the run is not longer than it (Folio requires warm-up < steps)."""
    warmup = TRAIN[config]["warmup"]
    return warmup if steps > warmup else steps // 4


def folio_train(config: str, steps: int, timeout: int):
    spec = TRAIN[config]
    command = JAVA + TRAIN_JVM + ["-jar", "target/folio.jar", "train", "--corpus", CORPUS, "--no-publish"] + TRAIN_COMMON + spec["folio"] + [
        "--max-steps", str(steps), "--warmup-steps", str(warmup_steps(config, steps)), "--eval-interval", str(steps)]
    ok, output, seconds = run(command, timeout)
    match = FOLIO_TRAIN_LINE.search(output)
    if not ok or not match:
        return {"error": "no 'steps N, wall S s, ...' line", "tail": output[-3000:], "command": command}
    done, wall = int(match.group(1)), float(match.group(2))
    figures = {"steps": done, "wall_s": wall, "ms_per_step": 1000 * wall / done,
               "reported_ms_per_step_evaluations_excluded": float(match.group(3)), "process_s": round(seconds, 3)}
    first = FOLIO_STEP_LOG.search(output)
    if first and done > 100:
        tokens_per_step = int(spec["folio"][spec["folio"].index("--batch-size") + 1]) * int(spec["folio"][spec["folio"].index("--block-size") + 1])
        first_s = 100 * tokens_per_step / float(first.group(1))  # the log's tokens/s is cumulative since the start
        figures["first_100_ms_per_step"] = 1000 * first_s / 100
        figures["after_first_100_ms_per_step"] = 1000 * (wall - first_s) / (done - 100)
    return {"figures": figures, "command": command}


def bench_classpath():
    with open(os.path.join(ROOT, "target", "bench-classpath.txt")) as f:
        return "target/classes:target/test-classes:" + f.read().strip()


def ensure_store(size: str, timeout: int):
    """The size's randomly initialised model (one training step, published into target/bench/stores/), made once."""
    store, name = SIZES[size]["store"]
    if os.path.isfile(os.path.join(ROOT, store, name, "current")):
        return None
    command = JAVA + TRAIN_JVM + ["-jar", "target/folio.jar", "train", "--corpus", CORPUS, "--store", store, "--model", name] + TRAIN_COMMON + \
        TRAIN[size]["folio"] + ["--max-steps", "1", "--warmup-steps", "0", "--eval-interval", "1", "--no-gate"]
    log(f"making the {size} model: {' '.join(command)}")
    ok, output, _ = run(command, timeout)
    return None if ok else output[-3000:]


def store_properties(size: str):
    if SIZES[size]["store"] is None:
        return []
    store, name = SIZES[size]["store"]
    return [f"-Dbench.store={store}", f"-Dbench.model={name}"]


def folio_memory(size: str, timeout: int):
    jar = "target/folio.jar"
    store, name = SIZES[size]["store"] or ("model-store", "shakespeare-char")
    command = JAVA + ["-cp", bench_classpath(), "dev.folio.bench.ServerMemory", jar, store, name, "300", "32", "64"]
    ok, output, seconds = run(command, timeout)
    idle = MEMORY_IDLE_LINE.search(output)
    if not ok or not idle:
        return {"error": "no idle line", "tail": output[-3000:], "command": command[:4] + ["<classpath>"] + command[5:]}
    figures = {"rss_idle_mb": int(idle.group(1)), "process_s": round(seconds, 3)}
    for m in MEMORY_STREAMS_LINE.finditer(output):
        figures[f"rss_peak_mb_{m.group(1)}_streams"] = int(m.group(3))
        figures[f"kv_most_mb_{m.group(1)}_streams"] = int(m.group(5))
    return {"figures": figures, "output": output[-2000:], "command": command[:4] + ["<classpath>"] + command[5:]}


def folio_decode(threads: int, batches, timeout: int, size: str = "bundled", tokens: int = 200, repeats: int = 3):
    command = JAVA + store_properties(size) + [f"-Dbench.tokens={tokens}", f"-Dbench.repeats={repeats}", "-cp", bench_classpath(), "dev.folio.bench.DecodeSpeed", str(threads)] + [str(b) for b in batches]
    ok, output, seconds = run(command, timeout)
    ttft = FOLIO_TTFT_LINE.search(output)
    if not ok or not ttft:
        return {"error": "no time-to-first-token line", "tail": output[-3000:], "command": command[:4] + ["<classpath>"] + command[5:]}
    figures = {"ttft_ms": float(ttft.group(1)), "process_s": round(seconds, 3)}
    for match in FOLIO_DECODE_LINE.finditer(output):
        figures[f"tokens_per_s_b{int(match.group(2))}"] = float(match.group(4))
        figures[f"ms_per_step_b{int(match.group(2))}"] = float(match.group(5))
    for match in FOLIO_FLOOR_LINE.finditer(output):
        batch = int(match.group(1))
        figures[f"floor_ms_per_step_b{batch}"] = float(match.group(2))
        figures[f"floor_tokens_per_s_b{batch}"] = float(match.group(4))
        figures[f"times_floor_b{batch}"] = float(match.group(5))
    ttft_floor = FOLIO_TTFT_FLOOR_LINE.search(output)
    if ttft_floor:
        figures["ttft_floor_ms"] = float(ttft_floor.group(1))
        figures["ttft_times_floor"] = float(ttft_floor.group(3))
    ceilings = FOLIO_CEILINGS_LINE.search(output)
    if ceilings:
        figures["bandwidth_gbs"] = float(ceilings.group(1))
        figures["gemm_gflops"] = float(ceilings.group(2))
    return {"figures": figures, "command": command[:4] + ["<classpath>"] + command[5:]}


# ---- the peer ----------------------------------------------------------------------------------

def peer_train(python: str, config: str, steps: int, compiled: bool, timeout: int):
    command = [python, os.path.join(PEER_DIR, "train.py"), "--config", config, "--steps", str(steps), "--threads", "2",
               "--seed", "1337", "--warmup-steps", str(warmup_steps(config, steps)), "--corpus", os.path.join(ROOT, CORPUS)]
    if compiled:
        command.append("--compile")
    ok, output, seconds = run(command, timeout, PEER_ENV)
    rows = json_lines(output)
    if not ok or not rows:
        return {"error": "no JSON result", "tail": output[-3000:], "command": command}
    result = rows[-1]
    figures = {"steps": result["steps"], "wall_s": result["wall_s"], "ms_per_step": result["ms_per_step"],
               "final_loss": result["final_loss"], "process_s": round(seconds, 3)}
    if result.get("after_first_100_ms_per_step") is not None:
        figures["first_100_ms_per_step"] = result["first_100_ms_per_step"]
        figures["after_first_100_ms_per_step"] = result["after_first_100_ms_per_step"]
    return {"figures": figures, "raw": result, "command": command}


# The peer's own best thread rule: its MKL products split well over two threads from 8 rows (measured
# 2026-12-02 against one thread at 8 and 32 rows). Folio's scheduler keeps one thread to 11 rows (oneDNN's products).
PEER_SMALL_BATCH = 8


def peer_decode(python: str, threads: int, batches, compiled: bool, timeout: int, size: str = "bundled", tokens: int = 200,
                repeats: int = 3):
    config = "default" if size == "bundled" else size
    command = [python, os.path.join(PEER_DIR, "decode.py"), "--config", config, "--batch"] + [str(b) for b in batches] + [
        "--tokens", str(tokens), "--repeats", str(repeats), "--prompt-len", "6", "--threads", str(threads), "--small-batch", str(PEER_SMALL_BATCH), "--ttft-prompt-len", "256"]
    if compiled:
        command.append("--compile")
    ok, output, seconds = run(command, timeout, PEER_ENV)
    rows = json_lines(output)
    ttft = [r for r in rows if r.get("metric") == "ttft_ms"]
    if not ok or not ttft:
        return {"error": "no JSON results", "tail": output[-3000:], "command": command}
    figures = {"ttft_ms": ttft[0]["value"], "process_s": round(seconds, 3)}
    for r in rows:
        if "batch" in r:
            figures[f"tokens_per_s_b{r['batch']}"] = r["tokens_per_s"]
            figures[f"ms_per_step_b{r['batch']}"] = r["ms_per_step"]
    return {"figures": figures, "raw": rows, "command": command}


# ---- the table ---------------------------------------------------------------------------------

def rows_for(args):
    """(label, group, key, lower_is_better)."""
    rows = []
    if args.only in (None, "train") and args.size == "bundled":
        rows += [
            (f"training, recipe, ms/step over {args.recipe_steps} steps (lower is better)", "train-recipe", "ms_per_step", True),
            ("training, recipe, ms/step of the first 100 steps (lower is better)", "train-recipe", "first_100_ms_per_step", True),
            ("training, recipe, ms/step after the first 100 (lower is better)", "train-recipe", "after_first_100_ms_per_step", True),
            (f"training, default config, ms/step over {args.default_steps} steps (lower is better)", "train-default", "ms_per_step", True),
        ]
    elif args.only in (None, "train"):
        rows.append((f"training, {args.size}, batch {TRAIN[args.size]['folio'][TRAIN[args.size]['folio'].index('--batch-size') + 1]}, "
                     f"ms/step over {args.size_steps} steps (lower is better)", f"train-{args.size}", "ms_per_step", True))
    if args.only in (None, "decode"):
        rows.append(("time to first token, 256-token prompt, ms (lower is better)", "decode", "ttft_ms", True))
        rows.append(("time to first token: the floor, ms (Folio column)", "decode", "ttft_floor_ms", None))
        rows.append(("time to first token: Folio's over the floor (Folio column)", "decode", "ttft_times_floor", None))
        for b in args.batches:
            rows.append((f"decoding, batch {b}, tokens/s aggregate (higher is better)", "decode", f"tokens_per_s_b{b}", False))
            rows.append((f"decoding, batch {b}: the floor's tokens/s (Folio column)", "decode", f"floor_tokens_per_s_b{b}", None))
            rows.append((f"decoding, batch {b}: Folio's step time over the floor (Folio column)", "decode", f"times_floor_b{b}", None))
    return rows


def speed_up(folio, peer, lower_is_better):
    if lower_is_better is None:  # Folio's own figure: no peer
        return None
    if folio is None or peer is None or folio <= 0 or peer <= 0:
        return None
    return peer / folio if lower_is_better else folio / peer


def summarise(results, args):
    variants = ["eager"] + (["compile"] if args.compile else [])
    table = []
    for label, group, key, lower in rows_for(args):
        row = {"figure": label, "group": group, "key": key, "lower_is_better": lower}
        folio_values = [p["folio"][group]["figures"].get(key) for p in results if "figures" in p["folio"].get(group, {})]
        folio_values = [v for v in folio_values if v is not None]
        row["folio"] = statistics.median(folio_values) if folio_values else None
        for variant in variants:
            values, ratios = [], []
            for p in results:
                f = p["folio"].get(group, {}).get("figures", {}).get(key)
                v = p[variant].get(group, {}).get("figures", {}).get(key)
                if v is not None:
                    values.append(v)
                r = speed_up(f, v, lower)
                if r is not None:
                    ratios.append(r)
            row[variant] = statistics.median(values) if values else None
            row[f"speed_up_vs_{variant}"] = statistics.median(ratios) if ratios else None
            row[f"speed_up_vs_{variant}_per_pair"] = [round(r, 3) for r in ratios]
        table.append(row)
    return table


def markdown(table, args):
    def cell(value, digits=1):
        if value is None:
            return "n/a"
        return f"{value:.{digits}f}" if value < 1000 else f"{value:.0f}"

    headers = ["figure", "Folio", "PyTorch eager", "Folio speed-up vs eager"]
    if args.compile:
        headers += ["PyTorch torch.compile", "Folio speed-up vs compile"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in table:
        cells = [row["figure"], cell(row["folio"]), cell(row["eager"]), cell(row["speed_up_vs_eager"], 2) + "×"]
        if args.compile:
            cells += [cell(row["compile"]), cell(row["speed_up_vs_compile"], 2) + "×"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---- main --------------------------------------------------------------------------------------

def missing_prerequisites(args, python):
    problems = []
    if args.only in (None, "train") and not os.path.isfile(os.path.join(ROOT, "target", "folio.jar")):
        problems.append("target/folio.jar is missing; build it (from the repository root): " + BUILD_HINT)
    if args.only in (None, "decode") and not all(os.path.exists(os.path.join(ROOT, "target", p)) for p in ("classes", "test-classes", "bench-classpath.txt")):
        problems.append("target/classes, target/test-classes or target/bench-classpath.txt is missing; build them: " + BUILD_HINT)
    if args.only in (None, "decode") and not os.path.isdir(os.path.join(ROOT, "model-store")):
        problems.append("model-store/ is missing: Folio's DecodeSpeed loads the bundled model from it")
    if not os.path.isfile(os.path.join(ROOT, CORPUS)):
        problems.append(f"the corpus {os.path.normpath(os.path.join(ROOT, CORPUS))} is missing")
    check = subprocess.run([python, "-c", "import torch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if os.path.exists(python) else None
    if check is None or check.returncode != 0:
        problems.append(f"{python} cannot import torch; run bench/pytorch/setup.sh")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--only", choices=["train", "decode"])
    parser.add_argument("--size", choices=sorted(SIZES), default="bundled", help="the model's size (see above)")
    parser.add_argument("--size-steps", type=int, help="training steps per run at --size baby or gpt2-small (default: 20 and 6)")
    parser.add_argument("--decode-tokens", type=int, help="tokens per decoding request (default 200; 50 at gpt2-small)")
    parser.add_argument("--decode-repeats", type=int, help="timed runs per batch size, median reported (default 3; 1 at gpt2-small)")
    parser.add_argument("--memory", action="store_true", help="also measure the server's resident memory, idle and at 32 and 64 streams")
    parser.add_argument("--compile", action="store_true", help="also run the peer under torch.compile each pair")
    parser.add_argument("--recipe-steps", type=int, default=300)
    parser.add_argument("--default-steps", type=int, default=40)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--decode-threads", type=int, default=2,
                        help="Folio's DecodeSpeed intra-op threads argument and the peer's: prefills and large batches use this "
                             "many (Folio from the rows its load-time probes choose, the peer from 8), smaller batches 1. "
                             "1: one thread throughout")
    parser.add_argument("--python", default=VENV_PYTHON if os.path.exists(VENV_PYTHON) else sys.executable,
                        help="the interpreter with torch (default: target/pytorch-venv/bin/python)")
    parser.add_argument("--peer-gomp-spincount", default="2000", metavar="N|none",
                        help="GOMP_SPINCOUNT for the peer's runs (default 2000: what Folio sets for its own libgomp at start-up, "
                             "so both run the same OpenMP runtime the same way; 'none' leaves libgomp's default). A value "
                             "already in the environment wins, for both sides")
    parser.add_argument("--peer-env", action="append", default=[], metavar="NAME=VALUE",
                        help="more environment for the peer's runs; repeatable")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per run")
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args(argv)
    tokens, repeats = DECODE_TOKENS.get(args.size, (200, 3))
    args.decode_tokens = args.decode_tokens or tokens
    args.decode_repeats = args.decode_repeats or repeats
    if args.size_steps is None:
        args.size_steps = SIZE_STEPS.get(args.size, 0)

    if args.peer_gomp_spincount != "none" and "GOMP_SPINCOUNT" not in os.environ:
        PEER_ENV["GOMP_SPINCOUNT"] = args.peer_gomp_spincount
    for assignment in args.peer_env:
        name, _, value = assignment.partition("=")
        PEER_ENV[name] = value
    problems = missing_prerequisites(args, args.python)
    if problems:
        for problem in problems:
            log("compare.py: " + problem)
        return 2

    if SIZES[args.size]["store"] is not None and args.only in (None, "decode"):
        failure = ensure_store(args.size, args.timeout)
        if failure:
            log(f"compare.py: could not make the {args.size} model:\n{failure}")
            return 2
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"compare.py: the 1-minute load average is {load:.2f}; on a busy machine these figures mean little")
    variants = ["eager"] + (["compile"] if args.compile else [])
    results = []
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")

    def save(table=None):
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        document = {
            "started": started,
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": args.python,
                        "load_average_at_start": load, "peer_env": PEER_ENV},
            "settings": {k: v for k, v in vars(args).items() if k != "output"},
            "notes": [
                "ms_per_step is whole-run wall time / steps on both sides (Folio: the 'wall' of its final line; the peer: "
                "first step to last, sampling included; Folio's wall also includes one final 1-batch evaluation)",
                "Folio speed-up > 1 means Folio is faster: peer time / Folio time, or Folio rate / peer rate",
                f"warm-up: recipe {TRAIN['recipe']['warmup']} steps, default config {TRAIN['default']['warmup']} (Folio refuses "
                "warm-up >= max steps); a run not longer than that warms up over a quarter of its steps; same on both sides",
            ],
            "pairs": results,
        }
        if table is not None:
            document["table"] = table
        with open(args.output, "w") as f:
            json.dump(document, f, indent=1)

    for pair in range(args.pairs):
        record = {"pair": pair + 1, "folio": {}, **{v: {} for v in variants}}
        results.append(record)
        sides = ["folio"] + variants if pair % 2 == 0 else variants + ["folio"]
        jobs = []
        if args.only in (None, "train"):
            for config, steps in ((c, getattr(args, option)) for c, option in SIZES[args.size]["train"]):
                jobs.append((f"train-{config}", {
                    "folio": lambda c=config, s=steps: folio_train(c, s, args.timeout),
                    **{v: (lambda c=config, s=steps, v=v: peer_train(args.python, c, s, v == "compile", args.timeout)) for v in variants},
                }))
        if args.only in (None, "decode"):
            jobs.append(("decode", {
                "folio": lambda: folio_decode(args.decode_threads, args.batches, args.timeout, args.size, args.decode_tokens, args.decode_repeats),
                **{v: (lambda v=v: peer_decode(args.python, args.decode_threads, args.batches, v == "compile", args.timeout, args.size,
                                               args.decode_tokens, args.decode_repeats)) for v in variants},
            }))
        for group, runners in jobs:
            for side in sides:
                log(f"[pair {pair + 1}/{args.pairs}] {group}: {side} ...")
                outcome = runners[side]()
                record[side][group] = outcome
                if "error" in outcome:
                    log(f"  {side} {group} failed: {outcome['error']}\n{outcome['tail'][-1500:]}")
                else:
                    shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in outcome["figures"].items()}
                    log(f"  {shown}")
                save()

    memory = None
    if args.memory:
        log(f"memory: a packaged server holding the {args.size} model ...")
        memory = folio_memory(args.size, args.timeout)
        log(f"  {memory.get('figures', memory.get('error'))}")
    table = summarise(results, args)
    if memory is not None:
        results.append({"memory": memory})
    save(table)
    torch_version = subprocess.run([args.python, "-c", "import torch; print(torch.__version__)"],
                                   stdout=subprocess.PIPE, text=True).stdout.strip()
    print(f"\nFolio vs the PyTorch {torch_version} peer, {args.pairs} alternating pair(s); medians; Folio speed-up > 1 = Folio faster on that row "
          f"(peer time / Folio time, or Folio tokens/s / peer tokens/s).")
    print(f"Decoding: Folio's DecodeSpeed {args.decode_threads} {' '.join(map(str, args.batches))}; the peer: prefills on "
          f"{args.decode_threads} thread(s), decode steps of fewer than {PEER_SMALL_BATCH} rows on 1, larger on {args.decode_threads} "
          f"(Folio's: as its load-time probes found, in DecodeSpeed's 'model' line).")
    print(f"Peer environment: {' '.join(f'{k}={v}' for k, v in PEER_ENV.items()) or 'unchanged'} "
          f"(Folio sets GOMP_SPINCOUNT=2000 for itself unless the environment has one).\n")
    print(markdown(table, args))
    if memory is not None and "figures" in memory:
        f = memory["figures"]
        print(f"\nresident memory of a server holding the {args.size} model: idle {f['rss_idle_mb']} MB; "
              + "; ".join(f"{n} streams x 300 tokens: peak {f.get(f'rss_peak_mb_{n}_streams')} MB "
                          f"(KV held at most {f.get(f'kv_most_mb_{n}_streams')} MB)" for n in (32, 64)))
    print(f"\nraw results: {os.path.relpath(args.output, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

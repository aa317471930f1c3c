#!/usr/bin/env bash
# Folio's benchmark suite: ceilings (GEMM, per-op overhead, memory bandwidth), training, in-process
# decoding and HTTP serving against the packaged server in another process. Prints a table and writes
# target/bench/results.json. Takes ~20 minutes, 10 of them the soak (64 clients); SOAK_MINUTES=1 shortens it.
# Run it on an otherwise idle machine.
#
#   bench/run.sh [bundled|baby|gpt2-small]
#
# A size other than the bundled model (nanoGPT's baby GPT, 6 x 384 with context 256, or GPT-2 small's shape, 12 x 768
# with context 1024; both randomly initialised by a one-step training run into target/bench/stores/ the first time)
# runs what depends on the size: in-process decoding at batch 1, 8 and 32 with the floor measured in the same run
# (DecodeSpeed), and the packaged server's resident memory idle and at 32 and 64 streams of 300 tokens (ServerMemory).
# Training at that size against PyTorch: bench/pytorch/compare.py --size SIZE.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-bundled}"
./mvnw -q -B package -DskipTests
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
mkdir -p target/bench
java_opts=(-Dai.djl.offline=true -DOPT_OUT_TRACKING=true)
classpath="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
case "$size" in
  bundled)
    exec java "${java_opts[@]}" -Dbench.soak.minutes="${SOAK_MINUTES:-10}" -cp "$classpath" dev.folio.bench.BenchmarkSuite ;;
  baby) shape=(--n-layer 6 --n-head 6 --n-embd 384 --block-size 256) ;;
  gpt2-small) shape=(--n-layer 12 --n-head 12 --n-embd 768 --block-size 1024) ;;
  *) echo "unknown size '$size': bundled, baby or gpt2-small" >&2; exit 2 ;;
esac
store=target/bench/stores
corpus="${CORPUS:-../shared/data/tinyshakespeare.txt}"
if [ ! -f "$store/$size/current" ]; then
  java "${java_opts[@]}" -XX:TieredStopAtLevel=1 -jar target/folio.jar train --corpus "$corpus" --store "$store" --model "$size" \
    "${shape[@]}" --batch-size 1 --max-steps 1 --warmup-steps 0 --eval-interval 1 --eval-batches 1 --checkpoint-interval 0 --no-gate
fi
java "${java_opts[@]}" -Dbench.store="$store" -Dbench.model="$size" -cp "$classpath" dev.folio.bench.DecodeSpeed 2 1 8 32
exec java "${java_opts[@]}" -cp "$classpath" dev.folio.bench.ServerMemory target/folio.jar "$store" "$size" 300 32 64

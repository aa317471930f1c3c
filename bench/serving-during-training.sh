#!/usr/bin/env bash
# Serving latency while a training run is going in the same process: starts the packaged service with a
# training corpus, times /generate (100 tokens) idle, starts a run through the admin API, and times it
# again while the run trains with its thread budget (folio.training.threads, default 1 of the cores).
#
#   bench/serving-during-training.sh [corpus] [training-threads]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(realpath "${1:-../shared/data/tinyshakespeare.txt}")"
threads="${2:-1}"
[ -f target/folio.jar ] || ./mvnw -q -B package -DskipTests
store="$(mktemp -d)"; cp -r model-store/. "$store"/
port=18181
java -jar target/folio.jar --server.port=$port --folio.store.path="$store" --folio.admin.key=bench \
  --folio.training.corpus="$corpus" --folio.training.threads="$threads" --folio.training.max-steps=100000 \
  --folio.training.max-duration=5m > "$store/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; cp "$store/server.log" /tmp/serving-bench.log; rm -rf "$store"' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$port/health >/dev/null && break; sleep 0.5; done

measure() {  # prints the median and max of 10 requests, in ms
  for i in $(seq 1 10); do
    curl -s -o /dev/null -w '%{time_total}\n' localhost:$port/generate -H 'Content-Type: application/json' \
      -d "{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":100,\"do_sample\":true,\"seed\":$i}}"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "median %.0f ms, max %.0f ms\n", t[int((NR + 1) / 2)], t[NR] }'
}
measure >/dev/null   # warm-up
echo "idle:             $(measure)"
curl -s -X POST -H 'Authorization: Bearer bench' localhost:$port/admin/training/runs >/dev/null
sleep 10             # let the run get past loading and into its steps
echo "during training:  $(measure)   (training threads: $threads)"
curl -s -H 'Authorization: Bearer bench' localhost:$port/admin/training/runs | grep -o '"step":[0-9]*' | head -1

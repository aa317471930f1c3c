#!/usr/bin/env bash
# README's quick start, as one script (CI runs it, so README cannot drift from what works):
# build once, serve the bundled model on loopback, one curl, train on your own text in about a minute into a store
# outside the repository, see the running server pick it up beside the bundled model, and chat with it.
#
#   docs/quickstart.sh [CORPUS]     CORPUS: any UTF-8 text file, e.g. Tiny Shakespeare:
#     curl -o input.txt https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt
#   Without one it trains on the repository's own README.md and docs/*.md.
#
# Settings (environment): PORT (default 0: a free port, read from the log), STEPS (training steps, default 1000:
# about a minute on two cores; a tenth of them warm up, the default 100 at 1000, and the trainer needs fewer warm-up
# steps than steps), STORE (default: a new temporary directory, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-0}
STEPS=${STEPS:-1000}
WORK=$(mktemp -d)
STORE=${STORE:-$WORK/model-store}
CORPUS=${1:-}
export OPT_OUT_TRACKING=true # DJL never calls out: these, and -Dai.djl.offline=true below
JAVA=(java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "1. build once (target/folio.jar)"
[ -f target/folio.jar ] || ./mvnw -B -q package -DskipTests

step "2. serve, on loopback only, a store outside the repository that starts with the bundled model"
mkdir -p "$STORE"
cp -R model-store/shakespeare-char "$STORE"/
"${JAVA[@]}" -jar target/folio.jar --server.port="$PORT" --server.address=127.0.0.1 --folio.store.path="$STORE" \
  >"$WORK/server.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  port=$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$WORK/server.log" | head -n 1)
  if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/health" >/dev/null; then break; fi
  kill -0 "$server" 2>/dev/null || { cat "$WORK/server.log"; echo "the server did not start" >&2; exit 1; }
  sleep 0.5
done
[ -n "${port:-}" ] || { cat "$WORK/server.log"; echo "the server did not start in 2 minutes" >&2; exit 1; }
URL=http://127.0.0.1:$port
echo "serving on $URL"

step "3. one curl"
curl -sf "$URL/generate" -H 'Content-Type: application/json' \
  -d '{"inputs":"ROMEO:","parameters":{"max_new_tokens":60,"do_sample":true,"seed":1}}'
echo

step "4. train on your own text: a small shape, into that store"
if [ -z "$CORPUS" ]; then
  CORPUS=$WORK/corpus.txt
  cat README.md docs/*.md >"$CORPUS"
fi
"${JAVA[@]}" -jar target/folio.jar train --corpus "$CORPUS" --store "$STORE" --model my-text \
  --n-layer 2 --n-head 4 --n-embd 64 --block-size 64 --max-steps "$STEPS" --eval-batches 20 \
  --warmup-steps $((STEPS / 10)) \
  --chat-template docs/plain-chat.jinja # the default template speaks as ROMEO:, which your text may lack

step "5. the running server picks it up by itself, beside the bundled model"
for _ in $(seq 1 60); do
  curl -sf "$URL/health" | grep -q '"my-text"' && break
  sleep 0.5
done
curl -sf "$URL/health"
echo

step "6. chat with it (its template: docs/plain-chat.jinja)"
curl -sf --show-error "$URL/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"my-text","messages":[{"role":"user","content":"The model"}],"max_tokens":80,"seed":1}'
echo

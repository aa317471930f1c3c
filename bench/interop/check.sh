#!/usr/bin/env bash
# Outside CI (Python): Folio's exports and imports checked against transformers and nanoGPT's own code.
#
#   bench/interop/check.sh NANOGPT_CHECKOUT [OUT_DIR]
#
# NANOGPT_CHECKOUT is a nanoGPT checkout that has trained (OUT_DIR, default out-shakespeare-char, holds ckpt.pt;
# data/<dataset>/meta.pkl its vocabulary). PYTHON (default target/py/bin/python) needs torch, transformers and tiktoken
# (nanoGPT's sample.py imports it).
# It imports the checkpoint into a scratch store beside the bundled model, exports both as Hugging Face directories,
# serves the store, and runs check.py: transformers vs Folio (bundled model and imported one), nanoGPT's model.py vs
# Folio, and nanoGPT's sample.py --top_k=1 (greedy) vs Folio's greedy text.
set -euo pipefail
cd "$(dirname "$0")/../.."
nanogpt="$(cd "$1" && pwd)"
out_dir="${2:-out-shakespeare-char}"
python="${PYTHON:-target/py/bin/python}"
port="${PORT:-18089}"
work=target/interop-check
java_opts=(-Dai.djl.offline=true -DOPT_OUT_TRACKING=true)
[ -f target/folio.jar ] || ./mvnw -q -B package -DskipTests
rm -rf "$work" && mkdir -p "$work/store"
cp -R model-store/shakespeare-char "$work/store/"
dataset=$("$python" -c "import torch,sys; print(torch.load(sys.argv[1], map_location='cpu')['config']['dataset'])" "$nanogpt/$out_dir/ckpt.pt")
meta="$nanogpt/data/$dataset/meta.pkl"

java "${java_opts[@]}" -jar target/folio.jar import --store "$work/store" --model nano --from "$nanogpt/$out_dir/ckpt.pt" --meta "$meta" 2>/dev/null
for model in shakespeare-char nano; do
  java "${java_opts[@]}" -jar target/folio.jar export --store "$work/store" --model "$model" --format hf --out "$work/hf-$model" 2>/dev/null
done

if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is in use: set PORT to a free one" >&2; exit 2; fi
java "${java_opts[@]}" -jar target/folio.jar --server.port="$port" --server.address=127.0.0.1 --folio.store.path="$work/store" \
  > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { echo "the server did not start: $work/server.log" >&2; exit 2; }
  sleep 1
done
url="http://127.0.0.1:$port"

block=$("$python" -c "import torch,sys; print(torch.load(sys.argv[1], map_location='cpu')['model_args']['block_size'])" "$nanogpt/$out_dir/ckpt.pt")
prompt="ROMEO:
But soft, what light"
tokens=$((block - ${#prompt}))   # nanoGPT's forward takes at most block_size positions
status=0
echo "== transformers on the exported bundled model"
"$python" bench/interop/check.py hf --export "$work/hf-shakespeare-char" --url "$url" --model shakespeare-char --tokens 150 || status=1
echo "== transformers on the imported nanoGPT model, exported again"
"$python" bench/interop/check.py hf --export "$work/hf-nano" --url "$url" --model nano --prompt "$prompt" --tokens "$tokens" || status=1
echo "== nanoGPT's model.py on its checkpoint vs Folio serving the import"
"$python" bench/interop/check.py nanogpt --nanogpt "$nanogpt" --ckpt "$nanogpt/$out_dir/ckpt.pt" --meta "$meta" --url "$url" --model nano \
  --prompt "$prompt" --tokens "$tokens" || status=1
echo "== nanoGPT's sample.py --top_k=1 vs Folio's greedy text"
sample=$(cd "$nanogpt" && "$OLDPWD/$python" sample.py --out_dir="$out_dir" --start="$prompt" --num_samples=1 --max_new_tokens="$tokens" \
  --top_k=1 --device=cpu --compile=False --dtype=float32 | sed -n '/^Loading meta/,$p' | sed '1d' | sed '$d')
folio=$(curl -s "$url/generate" -H 'Content-Type: application/json' \
  -d "$("$python" -c 'import json,sys; print(json.dumps({"model":"nano","inputs":sys.argv[1],"parameters":{"max_new_tokens":int(sys.argv[2]),"do_sample":False}}))' "$prompt" "$tokens")" \
  | "$python" -c 'import json,sys; print(json.load(sys.stdin)["generated_text"])')
if [ "$sample" == "$prompt$folio" ]; then echo "sample.py greedy text equals Folio's: True ok"; else
  echo "sample.py greedy text equals Folio's: False FAILED"; printf 'sample.py: %q\nFolio:     %q\n' "$sample" "$prompt$folio"; status=1; fi
exit $status

#!/usr/bin/env bash
# Parity with nanoGPT's CPU recipe (its README, "I only have a macbook"): n_layer 4, n_head 4,
# n_embd 128, block 64, batch 12, 2000 iterations, lr 1e-3 cosine to 1e-4, 100 warm-up steps,
# dropout 0, beta2 0.99, weight decay 0.1, grad clip 1.0, no biases. Trains with Folio's trainer and
# prints the final validation loss (mean of 200 batches), the wall time and the milliseconds per step.
#
#   bench/nanogpt-cpu-recipe.sh [path/to/tinyshakespeare.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/data/tinyshakespeare.txt}"
[ -f target/folio.jar ] || ./mvnw -q -B package -DskipTests
exec java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -jar target/folio.jar train \
  --corpus "$corpus" --no-publish \
  --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 --dropout 0 \
  --batch-size 12 --max-steps 2000 --lr 1e-3 --min-lr 1e-4 --warmup-steps 100 \
  --weight-decay 0.1 --beta1 0.9 --beta2 0.99 --grad-clip 1.0 \
  --eval-interval 2000 --eval-batches 200 --seed 1337

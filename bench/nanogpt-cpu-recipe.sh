#!/usr/bin/env bash
# Parity with nanoGPT's CPU recipe (its README, "I only have a macbook"): n_layer 4, n_head 4,
# n_embd 128, block 64, batch 12, 2000 iterations, lr 1e-3 cosine to 1e-4, 100 warm-up steps,
# dropout 0, beta2 0.99, weight decay 0.1, grad clip 1.0, no biases. Trains with Folio's trainer and
# prints the final validation loss (mean of 200 batches), the wall time and the milliseconds per step.
# The final loss moves by ~0.01-0.02 from one seed to the next, so SEEDS="1 2 3 4 5" trains once per
# seed (~100 s each) and prints the mean.
#
#   [SEEDS="1337"] bench/nanogpt-cpu-recipe.sh [path/to/tinyshakespeare.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/data/tinyshakespeare.txt}"
[ -f target/folio.jar ] || ./mvnw -q -B package -DskipTests
losses=()
for seed in ${SEEDS:-1337}; do
  java -XX:TieredStopAtLevel=1 -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -jar target/folio.jar train \
    --corpus "$corpus" --no-publish \
    --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 --dropout 0 \
    --batch-size 12 --max-steps 2000 --lr 1e-3 --min-lr 1e-4 --warmup-steps 100 \
    --weight-decay 0.1 --beta1 0.9 --beta2 0.99 --grad-clip 1.0 \
    --eval-interval 2000 --eval-batches 200 --seed "$seed" | tee "target/nanogpt-recipe-seed-$seed.log"
  losses+=("$(grep -o 'val loss [0-9.]* (mean of' "target/nanogpt-recipe-seed-$seed.log" | awk '{print $3}')")
done
if [ "${#losses[@]}" -gt 1 ]; then
  printf '%s\n' "${losses[@]}" | awk -v seeds="${SEEDS}" '{s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1}
    END {printf "seeds %s: val loss mean %.4f (min %.4f, max %.4f)\n", seeds, s / NR, lo, hi}'
fi

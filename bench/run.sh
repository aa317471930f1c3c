#!/usr/bin/env bash
# Folio's benchmark suite: ceilings (GEMM, per-op overhead, memory bandwidth), training, in-process
# decoding and HTTP serving against the packaged server in another process. Prints a table and writes
# target/bench/results.json. Takes ~20 minutes, 10 of them the soak (64 clients); SOAK_MINUTES=1 shortens it.
# Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B package -DskipTests
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
mkdir -p target/bench
exec java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dbench.soak.minutes="${SOAK_MINUTES:-10}" \
  -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" dev.folio.bench.BenchmarkSuite

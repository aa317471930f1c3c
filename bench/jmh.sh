#!/usr/bin/env bash
# JMH micro-benchmarks (src/test/java/dev/folio/bench/jmh): one batched decoding step at batch 1, 8, 32 and
# the per-token sampling cost. Extra arguments go to JMH (e.g. a benchmark name, -f 1 -wi 3 -i 5).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
exec java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  org.openjdk.jmh.Main -jvmArgsAppend "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true" -f 1 -wi 3 -w 2s -i 5 -r 2s "${@:-dev.folio.bench.jmh}"

#!/usr/bin/env bash
# Issue 28's attacks against the packaged server, bounded in count and time, on loopback only: builds target/folio.jar,
# then AbuseSuite starts it on 127.0.0.1 and a free port with a random admin key and a copy of the bundled model store
# (target/abuse/store; the attacks publish versions there, never in model-store/), runs each attack while another
# client's /generate latency and the server's resident memory are measured, and prints a Markdown table.
# ONLY=1,4a runs those attacks alone. About 5 minutes on 2 cores after the build.
# A benchmark: it prints, it asserts nothing; not part of ./mvnw test or verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPT_OUT_TRACKING=true
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dai.djl.offline=true -DOPT_OUT_TRACKING=true"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -B -q package -DskipTests   # compiles the test classes too (AbuseSuite needs only the JDK)
fi
exec java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dabuse.only="${ONLY:-}" -cp target/test-classes dev.folio.bench.AbuseSuite target/folio.jar

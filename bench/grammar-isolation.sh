#!/usr/bin/env bash
# Another client's /generate latency, alone and while 32 distinct expensive grammars ((x?){400..431}) compile, against
# the server built from this tree, started here on a free port with the bundled model. Prints the figures and the
# server's resident memory after. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18093}"
./mvnw -q -B -o test-compile
./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -cp "$CP" dev.folio.FolioApplication --server.port="$PORT" \
  --folio.store.path=model-store >target/grammar-isolation-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 1; done
java -cp "$CP" dev.folio.bench.GrammarIsolation "http://127.0.0.1:$PORT" "${GRAMMARS:-32}"
echo "server resident memory after: $(( $(ps -o rss= -p $SERVER) / 1024 )) MB"

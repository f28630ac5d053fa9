#!/usr/bin/env bash
# Runs the gateway benchmarks; see docs/performance.md.
#
#   benchmarks/run.sh            load (side by side at 1 and 32 connections; the gateways and floors also at 1,024,
#                                the gateway again with 10,000 idle sessions) + memory runs
#   benchmarks/run.sh load       the side-by-side load runs only
#   benchmarks/run.sh memory     the memory runs only
#   benchmarks/run.sh cluster    one gateway alone, one replica in cluster mode (Redis), and 1 and 3 replicas
#                                behind HAProxy (round-robin); needs redis-server, haproxy and wrk
#                                (Debian: apt-get install -y redis-server haproxy wrk); writes docs/benchmarks/cluster.{md,json}
#   benchmarks/run.sh ratios     the ratio targets measured in turns (stdio bridge floor, secure and bare gateway,
#                                ROUNDS rounds, default 5; ~10 minutes); writes docs/benchmarks/ratios.md
#   benchmarks/run.sh profile    the secure and bare gateway and the stdio bridge floor under wrk (32 connections),
#                                profiled with async-profiler (CPU and allocation); writes flame graphs and
#                                docs/benchmarks/profile.md (TARGETS=gateway,... EVENTS=cpu,alloc to choose)
#   benchmarks/run.sh jmh [ARGS] the JMH micro-benchmarks (ARGS go to JMH, e.g. a name regex)
#   benchmarks/run.sh redaction  every redaction rule and argument guard on 1 MB adversarial texts
#                                (OK within 50 ms each, else TOO SLOW and exit status 1); needs only JDK and Maven
#
# Needs JDK 17, Maven, gcc, Node.js/npm (for supergateway and mcp-proxy) and wrk
# (Debian: apt-get install -y wrk). Writes docs/benchmarks/{results.json,results.md,throughput.png};
# logs and the compiled echo server go to build/bench. SECONDS_PER_RUN (default 10) bounds each run;
# every server target first gets JIT_WARMUP_SECONDS (default 20) of load, each concurrency
# WARMUP_SECONDS (default 3) more before it is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}
[ $# -gt 0 ] && shift
work="$root/build/bench"
mkdir -p "$work"

mvn -q -B -ntp -DskipTests -Dgateway.npm.skip=true -pl benchmarks -am package
jar="$root/benchmarks/target/benchmarks.jar"

if [ "$what" = redaction ]; then
  exec java -Xmx1g -cp "$jar" dev.mcpgateway.benchmarks.RedactionBenchmark
fi

gcc -O2 -D_GNU_SOURCE -Wall -o "$work/echo-server" "$root/benchmarks/src/main/c/echo-server.c"

case "$what" in
  all|load)
    command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
    npm_dir="$root/build/bench-npm"
    mkdir -p "$npm_dir"
    if ! cmp -s "$root/benchmarks/npm/package-lock.json" "$npm_dir/node_modules/.installed-package-lock.json"; then
      cp "$root/benchmarks/npm/package.json" "$root/benchmarks/npm/package-lock.json" "$npm_dir/"
      (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$root/benchmarks/npm/package-lock.json" "$npm_dir/node_modules/.installed-package-lock.json"
    fi
    java -cp "$jar" dev.mcpgateway.benchmarks.LoadBenchmark --echo "$work/echo-server" --npm "$npm_dir" \
      --lua "$root/benchmarks/src/main/lua/tools-call.lua" --work "$work" --out "$root/docs/benchmarks" \
      --seconds "${SECONDS_PER_RUN:-10}" --warmup "${WARMUP_SECONDS:-3}" \
      --jit-warmup "${JIT_WARMUP_SECONDS:-20}" ${TARGETS:+--targets "$TARGETS"}
    ;;
esac
case "$what" in
  all|ratios)
    command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
    java -cp "$jar" dev.mcpgateway.benchmarks.RatioBenchmark --echo "$work/echo-server" \
      --lua "$root/benchmarks/src/main/lua/tools-call.lua" --work "$work" --out "$root/docs/benchmarks" \
      --rounds "${ROUNDS:-5}" --seconds "${SECONDS_PER_RUN:-10}" --warmup "${WARMUP_SECONDS:-3}" \
      --jit-warmup "${JIT_WARMUP_SECONDS:-20}"
    ;;
esac
case "$what" in
  profile)
    command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
    java -cp "$jar" dev.mcpgateway.benchmarks.ProfileBenchmark --echo "$work/echo-server" \
      --lua "$root/benchmarks/src/main/lua/tools-call.lua" --work "$work" --out "$root/docs/benchmarks" \
      --seconds "${SECONDS_PER_RUN:-10}" --jit-warmup "${JIT_WARMUP_SECONDS:-30}" \
      ${TARGETS:+--targets "$TARGETS"} ${EVENTS:+--events "$EVENTS"}
    ;;
esac
case "$what" in
  cluster)
    for tool in wrk redis-server haproxy; do
      command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y redis-server haproxy wrk" >&2; exit 1; }
    done
    java -cp "$jar" dev.mcpgateway.benchmarks.ClusterBenchmark --echo "$work/echo-server" \
      --lua "$root/benchmarks/src/main/lua/tools-call.lua" --work "$work/cluster" --out "$root/docs/benchmarks" \
      --seconds "${SECONDS_PER_RUN:-10}" --warmup "${WARMUP_SECONDS:-3}" --jit-warmup "${JIT_WARMUP_SECONDS:-20}"
    ;;
esac
case "$what" in
  all|memory)
    java -Xmx2g -cp "$jar" dev.mcpgateway.benchmarks.MemoryBenchmark "$work/echo-server" "$work/payloads" \
      2> "$work/memory.log"
    ;;
esac
case "$what" in
  jmh)
    java -Dbench.echo="$work/echo-server" -jar "$jar" -f 1 -wi 3 -w 2s -i 5 -r 2s -jvmArgsAppend "-Dbench.echo=$work/echo-server" "$@"
    ;;
esac

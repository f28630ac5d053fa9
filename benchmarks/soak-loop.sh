#!/usr/bin/env bash
# Runs the HTTP soak (examples: SoakTest) N times in a row and reports each run's figures and errors.
#
#   benchmarks/soak-loop.sh N [SECONDS]     e.g. benchmarks/soak-loop.sh 30 60
#
# SECONDS (default 60, what CI runs) goes to -Dgateway.soak.seconds; WORKERS and CALLS, when set,
# to -Dgateway.soak.workers and -Dgateway.soak.calls (CALLS=0: initialize and DELETE only).
# Maven runs under nice (NICE, default 10) so that other builds on the machine keep moving.
# Logs go to build/soak-loop/run-K.log; the last line sums up: runs passed, runs failed.
# Exits 1 when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: benchmarks/soak-loop.sh N [SECONDS]}
seconds=${2:-60}
logs=build/soak-loop
mkdir -p "$logs"
props=(-Dgateway.soak.seconds="$seconds")
[ -n "${WORKERS:-}" ] && props+=(-Dgateway.soak.workers="$WORKERS")
[ -n "${CALLS:-}" ] && props+=(-Dgateway.soak.calls="$CALLS")
mvn=(nice -n "${NICE:-10}" mvn -B -ntp -Dgateway.npm.skip=true)

# Build once; each run then only compiles what changed (nothing) and runs the one test.
"${mvn[@]}" -q -DskipTests -pl examples -am package > "$logs/build.log" 2>&1 \
  || { echo "build failed: see $logs/build.log" >&2; exit 2; }

passed=0
failed=0
for ((k = 1; k <= runs; k++)); do
  log="$logs/run-$k.log"
  "${mvn[@]}" -pl examples -am test -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false "${props[@]}" > "$log" 2>&1
  status=$?
  figures=$(grep -m1 '\[reliability\] soak: [0-9]* s,' "$log" | sed 's/^.*\[reliability\] soak: //')
  if [ $status -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $k/$runs: ok    ${figures:-no figures printed}"
  else
    failed=$((failed + 1))
    echo "run $k/$runs: FAILED ${figures:-no figures printed} (log: $log)"
    # the assertion's message names the errors (worker, request, exception and its causes)
    grep -E 'unexpected errors|closed while the workers ran|worker [0-9]+:|Tests run:.*Fail|AssertionError|\[ERROR\]' "$log" \
      | grep -v '^\[ERROR\] *$' | head -20 | sed 's/^/    /'
  fi
done
echo "soak-loop: $runs runs of $seconds s: $passed passed, $failed failed"
[ $failed -eq 0 ]

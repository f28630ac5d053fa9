#!/usr/bin/env bash
# Paired runs of two builds of the benchmarks jar: both gateways (BenchGateway, one echo server
# each) under wrk load at the same time, round after round, so that the machine's drift hits both
# alike; prints each round's ratios new/old of throughput and of CPU time per request (server
# process and children, from /proc), then their geometric means. See docs/performance.md.
#
#   benchmarks/paired.sh OLD.jar NEW.jar secure|bare [ROUNDS]
#   C=1 SECS=6 WARM=20 benchmarks/paired.sh ...     connections per build, seconds per round, JIT warm-up
#
# A jar of an earlier commit:
#   git worktree add /tmp/old REV && (cd /tmp/old && mvn -q -DskipTests -Dgateway.npm.skip=true -pl benchmarks -am package)
#   cp /tmp/old/benchmarks/target/benchmarks.jar old.jar
#
# Needs wrk, gcc, curl and python3 (Debian: apt-get install -y wrk gcc curl python3).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
old=$(realpath "$1"); new=$(realpath "$2"); mode=$3; rounds=${4:-8}
conns=${C:-32}; secs=${SECS:-8}; warm=${WARM:-30}
work="$root/build/bench/paired"
mkdir -p "$work"
gcc -O2 -D_GNU_SOURCE -Wall -o "$root/build/bench/echo-server" "$root/benchmarks/src/main/c/echo-server.c"
echo_server="$root/build/bench/echo-server"
lua="$root/benchmarks/src/main/lua/tools-call.lua"
auth=""
[ "$mode" = secure ] && auth="bench-Kq7vT2xZ9pLm4Rw8Ns3Yd6Hc1Jf5Gb0Ua" # BenchGateway.API_KEY

pids=()
cleanup() {
  exec 7>&- 8>&- 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start NAME JAR FD: a gateway that exits when its standard input (a FIFO held open on FD) closes
start() {
  local fifo="$work/$1.stdin"
  rm -f "$fifo"; mkfifo "$fifo"
  java -cp "$2" dev.mcpgateway.benchmarks.BenchGateway "$echo_server" "$mode" 0 < "$fifo" > "$work/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
  eval "exec $3>\"$fifo\""
  for _ in $(seq 200); do grep -q LISTENING "$work/$1.log" && break; sleep 0.1; done
  local port
  port=$(awk '/LISTENING/ {print $2; exit}' "$work/$1.log")
  [ -n "$port" ] || { echo "$1 did not start; see $work/$1.log" >&2; exit 1; }
  local headers=(-H "Content-Type: application/json" -H "Accept: application/json, text/event-stream")
  [ -n "$auth" ] && headers+=(-H "Authorization: $auth")
  local sid
  sid=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$port/mcp/echo" "${headers[@]}" \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"paired","version":"1"}}}' \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id" {print $2}')
  curl -s -o /dev/null -X POST "http://127.0.0.1:$port/mcp/echo" "${headers[@]}" -H "MCP-Protocol-Version: 2025-06-18" \
    -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  eval "port_$1=$port; sid_$1=$sid"
}

# load NAME SECONDS CONNECTIONS OUT
load() {
  local port sid
  eval "port=\$port_$1; sid=\$sid_$1"
  MCP_SESSION_ID=$sid MCP_AUTHORIZATION=$auth MCP_PATH=/mcp/echo \
    wrk -t1 -c"$3" -d"$2"s -s "$lua" "http://127.0.0.1:$port/mcp/echo" | grep WRK_RESULT > "$4" || true
}

# CPU ticks of a process and its waited-for children
ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; }

start old "$old" 7
start new "$new" 8
echo "warming both for ${warm} s"
load old "$warm" 32 /dev/null & a=$!; load new "$warm" 32 /dev/null & b=$!; wait $a $b
# the echo server is a child of the gateway: its CPU counts once it is waited for, so take the
# gateway's own threads and the echo server's from /proc directly
cpu() {
  local total=0 child
  total=$(ticks "$1")
  for child in $(pgrep -P "$1" || true); do total=$((total + $(ticks "$child"))); done
  echo "$total"
}
results="$work/rounds.txt"
: > "$results"
for r in $(seq "$rounds"); do
  co0=$(cpu "$pid_old"); cn0=$(cpu "$pid_new")
  load old "$secs" "$conns" "$work/old.wrk" & a=$!; load new "$secs" "$conns" "$work/new.wrk" & b=$!; wait $a $b
  co1=$(cpu "$pid_old"); cn1=$(cpu "$pid_new")
  python3 - "$work/old.wrk" "$work/new.wrk" $((co1 - co0)) $((cn1 - cn0)) "$(getconf CLK_TCK)" "$r" "$results" <<'PY'
import json, sys
def read(path):
    r = json.loads(open(path).read().split('WRK_RESULT', 1)[1])
    return r['ok'], r['durationMicros'], r['p50Micros'] / 1000, r['bad']
old, new = read(sys.argv[1]), read(sys.argv[2])
tick_us = 1e6 / int(sys.argv[5])
cpu_old = int(sys.argv[3]) * tick_us / max(old[0], 1)
cpu_new = int(sys.argv[4]) * tick_us / max(new[0], 1)
rps_old = old[0] * 1e6 / old[1]
rps_new = new[0] * 1e6 / new[1]
print('round %s  old %7.0f req/s p50 %.3f ms %6.1f us CPU/req (%d bad)  new %7.0f req/s p50 %.3f ms %6.1f us CPU/req (%d bad)'
      '  throughput %.3f  CPU/req %.3f' % (sys.argv[6], rps_old, old[2], cpu_old, old[3], rps_new, new[2], cpu_new, new[3],
                                            rps_new / rps_old, cpu_new / cpu_old))
open(sys.argv[7], 'a').write('%f %f\n' % (rps_new / rps_old, cpu_new / cpu_old))
PY
done
python3 - "$results" <<'PY'
import math, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
def geo(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))
for name, index in (('throughput', 0), ('CPU per request', 1)):
    values = [row[index] for row in rows]
    print('%s new/old: %.3f (%.3f-%.3f over %d rounds)' % (name, geo(values), min(values), max(values), len(values)))
PY

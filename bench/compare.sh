#!/usr/bin/env bash
# bench/compare.sh — gatecheck's own speed, as three comparisons, each a ratio:
#
#   (a) the fake upstream's healthy path (gatecheck serve, pass/ok) against a
#       minimal net/http server (bench/okserver) that sends the same bytes, both
#       loaded by wrk; goal: fake/net-http >= 1.5
#   (b) gatecheck bench's load generator against wrk, both loading the same
#       nginx `return 200 "ok";`; goal: gatecheck/wrk >= 0.8
#   (c) a scripted 50ms stall against the stall gatecheck bench measures
#       (--target none: the client dials the fake upstream); goal: p99 error < 2ms
#
# Each comparison runs A,B,A,B,A,B (RUNS pairs), servers on CPU SERVER_CPU and load
# generators on CPU LOAD_CPU (taskset), equal connections and duration, and takes
# the median of each side. Only loopback is used. A missed goal is a finding, not
# a failure: the script exits 0 whenever the measurements ran, and non-zero only
# when something could not run (a missing tool, a build, a server that did not
# come up). These figures are not CI gates; see bench/README.md.
#
# Knobs (environment): CONNS (50), DURATION (seconds, 10), RUNS (3), SERVER_CPU (0),
# LOAD_CPU (1), ONLY (abc: the comparisons to run), STALL_MS (50), STALL_CONNS (4),
# READY_TIMEOUT (seconds, 20), QUIET_WAIT (seconds, 0: how long to wait before
# each comparison for the 1-minute load average to fall under QUIET_LOAD, 1.0, on
# a shared machine), KEEP_TMP (1: keep the work dir with the logs).
set -euo pipefail

CONNS=${CONNS:-50}
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
ONLY=${ONLY:-abc}
STALL_MS=${STALL_MS:-50}
STALL_CONNS=${STALL_CONNS:-4}
READY_TIMEOUT=${READY_TIMEOUT:-20}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_LOAD=${QUIET_LOAD:-1.0}
KEEP_TMP=${KEEP_TMP:-}

# The goals.
GOAL_A=1.5  # fake upstream req/s over net/http's, at least
GOAL_B=0.8  # gatecheck bench req/s over wrk's, at least
GOAL_C=2    # |p99 - stall| in ms, under

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

say() { printf '%s\n' "$*"; }
warn() { printf 'compare.sh: %s\n' "$*" >&2; }
die() {
	warn "$*"
	exit 2
}

for v in CONNS DURATION RUNS SERVER_CPU LOAD_CPU STALL_MS STALL_CONNS READY_TIMEOUT QUIET_WAIT; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v=${!v}: want a whole number"
done
[[ $QUIET_LOAD =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "QUIET_LOAD=$QUIET_LOAD: want a number"
((RUNS >= 1 && DURATION >= 1 && CONNS >= 1)) || die "RUNS, DURATION and CONNS must be at least 1"

# ---------------------------------------------------------------- processes

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatecheck-compare.XXXXXX")
PIDS=()

# cleanup stops every process this script started, by its pid (TERM, then KILL
# after a bounded wait), and removes the work dir.
cleanup() {
	local pid i
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	PIDS=()
	if [[ -n $KEEP_TMP ]]; then
		warn "logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CPU CMD... runs CMD pinned to CPU in the background, its output in
# $WORK/NAME.log, and sets STARTED to its pid.
start() {
	local name=$1 cpu=$2
	shift 2
	taskset -c "$cpu" "$@" >"$WORK/$name.log" 2>&1 &
	STARTED=$!
	PIDS+=("$STARTED")
}

# stop PID stops one process started here (TERM, then KILL after 5s).
stop() {
	local pid=$1 i keep=()
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for i in "${PIDS[@]}"; do
		[[ $i == "$pid" ]] || keep+=("$i")
	done
	PIDS=("${keep[@]}")
}

# free_port N prints a loopback port P such that P .. P+N-1 are all free now.
free_port() {
	python3 - "$1" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    p = random.randint(20000, 60000 - n)
    socks = []
    try:
        for q in range(p, p + n):
            s = socket.socket()
            s.bind(("127.0.0.1", q))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(p)
    sys.exit(0)
sys.exit("no free loopback ports")
EOF
}

# http_status PORT PATH prints the status code of a GET, or nothing (1s at most).
http_status() {
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
	timeout 1 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$2" >&3
		read -r _ code _ <&3 && printf "%s\n" "$code"
	' _ "$1" "$2" 2>/dev/null || true
}

# wait_ready NAME PID PORT PATH polls until GET PATH answers 200, at most
# READY_TIMEOUT seconds; it fails when the process died or time ran out.
wait_ready() {
	local name=$1 pid=$2 port=$3 path=$4 i
	for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			warn "$name exited before it was ready:"
			tail -n 20 "$WORK/$name.log" >&2 || true
			return 1
		fi
		[[ $(http_status "$port" "$path") == 200 ]] && return 0
		sleep 0.1
	done
	warn "$name not ready on 127.0.0.1:$port within ${READY_TIMEOUT}s"
	tail -n 20 "$WORK/$name.log" >&2 || true
	return 1
}

# rss_kb PID prints the resident set of a process in KiB.
rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo "?"
}

# quiet waits, at most QUIET_WAIT seconds, until the 1-minute load average is
# under QUIET_LOAD, and says so when it is not: other work on the machine takes
# CPU time from the pinned processes and the figures get noisy.
quiet() {
	local load i
	for ((i = 0; i <= QUIET_WAIT; i += 5)); do
		load=$(cut -d' ' -f1 /proc/loadavg)
		if awk "BEGIN {exit !($load < $QUIET_LOAD)}"; then
			say "   load average $load"
			return 0
		fi
		((i + 5 <= QUIET_WAIT)) && sleep 5
	done
	say "   load average $load (over $QUIET_LOAD: the machine is busy, the figures will be noisy)"
}

# ------------------------------------------------------------------ figures

# median prints the median of its arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) exit 1
		if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# calc EXPR prints an arithmetic result with 3 decimals.
calc() { awk "BEGIN {printf \"%.3f\n\", $1}"; }

# verdict VALUE OP GOAL prints PASS or MISS.
verdict() {
	if awk "BEGIN {exit !($1 $2 $3)}"; then echo PASS; else echo MISS; fi
}

# run_wrk URL prints wrk's requests per second; the whole output goes to
# $WORK/wrk.last. Socket errors and non-2xx answers are reported on stderr.
run_wrk() {
	local url=$1 out rps
	out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" "$url" 2>&1) || {
		warn "wrk failed: $out"
		return 1
	}
	printf '%s\n' "$out" >"$WORK/wrk.last"
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	[[ -n $rps ]] || {
		warn "no Requests/sec in wrk's output: $out"
		return 1
	}
	grep -E 'Socket errors|Non-2xx' <<<"$out" | sed 's/^/    wrk: /' >&2 || true
	printf '%s\n' "$rps"
}

# json_field FILE EXPR prints a field of a gatecheck bench JSON report, where EXPR
# is a Python expression over the report r.
json_field() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    r = json.load(f)
t = r["targets"][0]
if t.get("error"):
    sys.exit("gatecheck bench: " + t["error"])
if t.get("client_errors"):
    print("    gatecheck bench client errors: %s" % t["client_errors"], file=sys.stderr)
print(eval(sys.argv[2], {"r": r, "t": t}))
EOF
}

# ------------------------------------------------------------------- set-up

FAILED=()

command -v taskset >/dev/null || die "taskset is missing (util-linux)"
command -v python3 >/dev/null || die "python3 is missing (it reads gatecheck bench's JSON)"
ncpu=$(nproc)
((SERVER_CPU < ncpu && LOAD_CPU < ncpu)) || die "SERVER_CPU=$SERVER_CPU, LOAD_CPU=$LOAD_CPU: this machine has $ncpu CPUs"

# need_pkg CMD PKG makes sure CMD exists: apt-get installs PKG when running as
# root, else it says how and fails.
need_pkg() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null && return 0
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		say "installing $pkg (apt-get)"
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >"$WORK/apt.log" 2>&1; then
			DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$WORK/apt.log" 2>&1 || true
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >>"$WORK/apt.log" 2>&1 || {
				warn "apt-get install $pkg failed:"
				tail -n 5 "$WORK/apt.log" >&2
				return 1
			}
		fi
		command -v "$cmd" >/dev/null && return 0
	fi
	warn "$cmd is missing: install it with 'sudo apt-get install $pkg' (or run this script as root)"
	return 1
}

say "== building"
make -s build >"$WORK/build.log" 2>&1 || {
	cat "$WORK/build.log" >&2
	die "make build failed"
}
go build -o bin/okserver ./bench/okserver || die "building bench/okserver failed"
GATECHECK=$ROOT/bin/gatecheck
OKSERVER=$ROOT/bin/okserver

say "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r)"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "settings: CONNS=$CONNS DURATION=${DURATION}s RUNS=$RUNS SERVER_CPU=$SERVER_CPU LOAD_CPU=$LOAD_CPU"
say

# ------------------------------------------------- (a) fake upstream vs net/http

compare_a() {
	need_pkg wrk wrk || return 1
	local fport oport fpid opid path=/gatecheck/pass/ok/bench/0 i f o
	local fake=() nethttp=()
	fport=$(free_port 3) || return 1 # main, refused and connect-timeout endpoints
	start gatecheck-serve "$SERVER_CPU" "$GATECHECK" serve --listen "127.0.0.1:$fport" --control off
	fpid=$STARTED
	oport=$(free_port 1) || return 1
	start okserver "$SERVER_CPU" "$OKSERVER" --listen "127.0.0.1:$oport"
	opid=$STARTED
	wait_ready gatecheck-serve "$fpid" "$fport" "$path" || return 1
	wait_ready okserver "$opid" "$oport" "$path" || return 1

	say "== (a) fake upstream (gatecheck serve, pass/ok) vs minimal net/http (bench/okserver)"
	quiet
	say "   taskset -c $SERVER_CPU $GATECHECK serve --listen 127.0.0.1:$fport --control off"
	say "   taskset -c $SERVER_CPU $OKSERVER --listen 127.0.0.1:$oport"
	say "   taskset -c $LOAD_CPU wrk -t1 -c$CONNS -d${DURATION}s http://127.0.0.1:PORT$path"
	say "   fake upstream RSS before: $(rss_kb "$fpid") KiB"
	for ((i = 1; i <= RUNS; i++)); do
		f=$(run_wrk "http://127.0.0.1:$fport$path") || return 1
		o=$(run_wrk "http://127.0.0.1:$oport$path") || return 1
		fake+=("$f")
		nethttp+=("$o")
		say "   run $i: fake upstream $f req/s (RSS $(rss_kb "$fpid") KiB), net/http $o req/s"
	done
	f=$(median "${fake[@]}")
	o=$(median "${nethttp[@]}")
	local ratio
	ratio=$(calc "$f / $o")
	say "   median: fake upstream $f req/s, net/http $o req/s"
	say "   (a) ratio fake/net-http = $ratio (goal >= $GOAL_A): $(verdict "$ratio" '>=' "$GOAL_A")"
	say
	stop "$fpid"
	stop "$opid"
}

# --------------------------------------------- (b) gatecheck bench vs wrk on nginx

compare_b() {
	need_pkg wrk wrk || return 1
	need_pkg nginx nginx || return 1
	local nginx port npid i w g json
	local wrks=() gcs=()
	nginx=$(command -v nginx)
	port=$(free_port 1) || return 1
	mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
	cat >"$WORK/nginx/nginx.conf" <<EOF
# bench/compare.sh (b): one worker answering 200 "ok" on loopback.
worker_processes 1;
daemon off;
master_process on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "ok"; }
    }
}
EOF
	start nginx "$SERVER_CPU" "$nginx" -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf"
	npid=$STARTED
	wait_ready nginx "$npid" "$port" / || return 1

	say "== (b) gatecheck bench vs wrk, loading nginx $("$nginx" -v 2>&1 | sed 's/.*version: //') (return 200 \"ok\", 1 worker)"
	quiet
	say "   taskset -c $SERVER_CPU $nginx -p WORK/nginx -e WORK/nginx/logs/error.log -c WORK/nginx/nginx.conf"
	say "   taskset -c $LOAD_CPU wrk -t1 -c$CONNS -d${DURATION}s http://127.0.0.1:$port/"
	say "   taskset -c $LOAD_CPU $GATECHECK bench --url http://127.0.0.1:$port/ --connections $CONNS --duration ${DURATION}s --json -"
	for ((i = 1; i <= RUNS; i++)); do
		w=$(run_wrk "http://127.0.0.1:$port/") || return 1
		json=$WORK/b-$i.json
		if ! taskset -c "$LOAD_CPU" "$GATECHECK" bench --url "http://127.0.0.1:$port/" \
			--connections "$CONNS" --duration "${DURATION}s" --json - >"$json" 2>"$WORK/b-$i.log"; then
			warn "gatecheck bench failed:"
			tail -n 20 "$WORK/b-$i.log" >&2
			return 1
		fi
		g=$(json_field "$json" 't["throughput_rps"]') || return 1
		wrks+=("$w")
		gcs+=("$g")
		say "   run $i: wrk $w req/s, gatecheck bench $g req/s (p50 $(json_field "$json" 't["latency"]["p50_ms"]') ms)"
	done
	w=$(median "${wrks[@]}")
	g=$(median "${gcs[@]}")
	local ratio
	ratio=$(calc "$g / $w")
	say "   median: wrk $w req/s, gatecheck bench $g req/s"
	say "   (b) ratio gatecheck/wrk = $ratio (goal >= $GOAL_B): $(verdict "$ratio" '>=' "$GOAL_B")"
	say
	stop "$npid"
}

# ------------------------------------------- (c) scripted stall vs measured stall

compare_c() {
	local file=$WORK/stall.yaml id=bench/stall i json p50 p99 e50 e99
	local err50=() err99=()
	cat >"$file" <<EOF
id: $id
summary: reads the request, stalls ${STALL_MS}ms, then answers a valid 200 with a 2-byte body
spec:
  section: RFC 9110 §7.7
  quote: >-
    A proxy MUST NOT transform the content () of a response message that contains a
    no-transform cache directive ().
level: may
tags: [bench, timing]
upstream:
  - read: request
  - sleep: ${STALL_MS}ms
  - write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-transform\r\nX-Gatecheck: bench-stall\r\nContent-Length: 2\r\n\r\nok'
expect:
  pass: [passthrough]
examples:
  - name: the answer arrives as the upstream wrote it
    verdict: pass
    outcome: passthrough
    client:
      - write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-transform\r\nX-Gatecheck: bench-stall\r\nContent-Length: 2\r\n\r\nok'
  - name: something in between answers 502
    verdict: fail
    client:
      - write: 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'
EOF
	"$GATECHECK" lint "$file" >"$WORK/lint.log" 2>&1 || {
		cat "$WORK/lint.log" >&2
		warn "the stall scenario does not lint"
		return 1
	}
	# --target none: the load generator and the fake upstream are one process, so
	# it gets both CPUs.
	local cpus=$SERVER_CPU,$LOAD_CPU
	say "== (c) scripted ${STALL_MS}ms stall vs measured (gatecheck bench --target none, one process on CPUs $cpus)"
	quiet
	say "   taskset -c $cpus $GATECHECK bench --target none --scenarios WORK/stall.yaml --mix '$id=1' --connections $STALL_CONNS --duration ${DURATION}s --json -"
	for ((i = 1; i <= RUNS; i++)); do
		json=$WORK/c-$i.json
		if ! taskset -c "$cpus" "$GATECHECK" bench --target none --scenarios "$file" --mix "$id=1" \
			--connections "$STALL_CONNS" --duration "${DURATION}s" --json - >"$json" 2>"$WORK/c-$i.log"; then
			warn "gatecheck bench failed:"
			tail -n 20 "$WORK/c-$i.log" >&2
			return 1
		fi
		p50=$(json_field "$json" 't["outcomes"][0]["latency"]["p50_ms"]') || return 1
		p99=$(json_field "$json" 't["outcomes"][0]["latency"]["p99_ms"]') || return 1
		e50=$(calc "($p50 - $STALL_MS) < 0 ? $STALL_MS - $p50 : $p50 - $STALL_MS")
		e99=$(calc "($p99 - $STALL_MS) < 0 ? $STALL_MS - $p99 : $p99 - $STALL_MS")
		err50+=("$e50")
		err99+=("$e99")
		say "   run $i: $(json_field "$json" '"%d %s" % (t["outcomes"][0]["count"], t["outcomes"][0]["outcome"])'), p50 $p50 ms (error $e50), p99 $p99 ms (error $e99), max $(json_field "$json" 't["outcomes"][0]["latency"]["max_ms"]') ms"
	done
	e50=$(median "${err50[@]}")
	e99=$(median "${err99[@]}")
	say "   median: p50 error $e50 ms, p99 error $e99 ms"
	say "   (c) p99 error = $e99 ms (goal < $GOAL_C ms): $(verdict "$e99" '<' "$GOAL_C")"
	say
}

for c in a b c; do
	[[ $ONLY == *$c* ]] || continue
	if ! "compare_$c"; then
		warn "comparison ($c) could not run"
		FAILED+=("$c")
	fi
	# A comparison that stopped half-way leaves its servers: stop them now.
	for pid in "${PIDS[@]}"; do stop "$pid"; done
done

say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((${#FAILED[@]})); then
	warn "could not run: ${FAILED[*]}"
	exit 1
fi

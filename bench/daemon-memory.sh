#!/usr/bin/env bash
# The daemon's memory and CPU over many checks with nothing due (issue 11, goal 3): RUNNERS copies of
# samples/actions-runner (each named runner-N in its .runner, a registration token cached to expire far away, its own
# metrics file), one --config file, the daemon run for real at INTERVAL seconds (default 1, the smallest the command
# allows; 60 is the default an operator runs) until it has made CHECKS checks, then SIGTERM.
#
#   [INTERVAL=60] [POLICY=Registration] [REGISTRATION_CHECK=1.00:00:00] [CHECKS_PER_HOUR=6]
#   [METRICS_DIR=FOLDER | PER_RUNNER=1]
#     bench/daemon-memory.sh [BINARY] [RUNNERS] [CHECKS]
#
# Each runner has its own metrics file, all in one folder (as in the README's --config example): METRICS_DIR (made if
# missing, emptied of them after; a tmpfs such as /dev/shm/x to tell what the disk's metadata costs), else one in the
# work folder. PER_RUNNER=1 puts each in the runner's own state folder instead (STATE/runner-N/metrics.json).
#
# POLICY sets the refresh policy (Expiry, the default, or Registration). Under Expiry GitHub is asked about a runner
# once in 4.5 to 7.5 hours (its labels, for the registration record, which the bench starts as listed a moment ago):
# none of the checks measured asks it. Under Registration, REGISTRATION_CHECK sets GitHub:RegistrationCheckInterval (default 30 minutes) and
# CHECKS_PER_HOUR GitHub:RegistrationChecksPerHour (default 6); the first check asks about 30 runners (the most a
# process asks in a minute), and each runner's next question is then spread evenly over one cadence (its
# github-check.json written whole, as if GitHub had listed it), as in a daemon that has run for a while. The cadence
# is REGISTRATION_CHECK, or RUNNERS hours / CHECKS_PER_HOUR when longer: with the defaults and 1,000 runners a week, so
# about one runner in ten checks is asked; CHECKS_PER_HOUR=3600 with 1,000 runners and checks every 60 s has about 33
# due at each check and asks 30 of them (every runner about twice an hour).
#
# BINARY defaults to the Native AOT publish (artifacts/aot/runner-token-refresh). The daemon runs as under systemd
# (its parent named systemd, a NOTIFY_SOCKET: it logs for the journal and notifies), and a check is counted when the
# STATUS= notification sent as it ends reaches that socket (the decision lines cannot count them: a repeated "nothing
# to do" is logged at information once an hour, at debug otherwise, and debug would log 1,000 lines per check). Prints
# VmRSS at about ten points, VmHWM (peak), and the CPU time per check (utime + stime from /proc/PID/stat, from the end
# of the second check to the end of the last, so start-up and each runner's first check, which asks GitHub for its
# listing and writes its files anew, are left out; and over the second half of the checks, once each runner's metrics
# file has its spare: the first minutes after a start make them, each flushed to disk once).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-artifacts/aot/runner-token-refresh}")
runners=${2:-1}
checks=${3:-1440}
interval=${INTERVAL:-1}
policy=${POLICY:-Expiry}
registration_check=${REGISTRATION_CHECK:-00:30:00}
checks_per_hour=${CHECKS_PER_HOUR:-6}
[[ -x $binary ]] || { echo "no binary at $binary: publish it first (the README's Native AOT command)" >&2; exit 2; }
((runners >= 1 && checks >= 3)) || { echo "RUNNERS must be 1 or more and CHECKS 3 or more" >&2; exit 2; }
((interval >= 1 && interval <= 3600)) || { echo "INTERVAL must be 1 to 3600 seconds" >&2; exit 2; }

work=$(mktemp -d)
daemon=
shell=
cleanup() {
  local status=$?
  [[ -n $daemon ]] && kill "$daemon" 2>/dev/null
  [[ -n $shell ]] && wait "$shell" 2>/dev/null
  [[ -n ${github_PID:-} ]] && kill "$github_PID" 2>/dev/null
  [[ -n ${notify:-} ]] && kill "$notify" 2>/dev/null
  [[ -n ${KEEP:-} ]] && cp "$work/checks" "$KEEP"
  rm -rf "$work"
  [[ -n ${METRICS_DIR:-} ]] && rm -f "$METRICS_DIR"/runner-*.json "$METRICS_DIR"/.runner-*.json.spare
  exit "$status"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# The runners, the state each starts with (nothing due for a year), and the config that lists them.
metrics=${METRICS_DIR:-$work/metrics}
mkdir -p "$work/runners" "$work/state" "$metrics"
expires=$(date -u -d '+1 year' +%Y-%m-%dT%H:%M:%SZ)
listed=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
  printf '{\n  "CheckInterval": "%s",\n' "$(date -u -d "@$interval" +%H:%M:%S)"
  printf '  "StateDirectory": "%s",\n  "Runners": [\n' "$work/state"
  for ((i = 0; i < runners; i++)); do
    dir=$work/runners/runner-$i
    cp -r samples/actions-runner "$dir"
    sed -i "s/\"agentName\": \"sample-runner\"/\"agentName\": \"runner-$i\"/" "$dir/.runner"
    mkdir -p "$work/state/runner-$i"
    printf '{ "registration_token_expires_at": "%s", "consecutive_failures": 0 }\n' "$expires" >"$work/state/runner-$i/state.json"
    # Listed for its record a moment ago, as by a daemon that ran before: no listing is due in the run (a new one lists
    # 30 a minute, so a run of 1,000 runners would measure its first half hour, not its steady state).
    printf '{ "version": 1, "listed_at": "%s" }\n' "$listed" >"$work/state/runner-$i/registration.json"
    file=$metrics/runner-$i.json
    [[ -n ${PER_RUNNER:-} ]] && file=$work/state/runner-$i/metrics.json
    printf '    { "Directory": "%s", "MetricsFile": "%s" }%s\n' "$dir" "$file" "$( ((i + 1 < runners)) && echo ,)"
  done
  printf '  ],\n  "Policy": "%s",\n  "GitHub": { "RegistrationCheckInterval": "%s", "RegistrationChecksPerHour": %d }\n}\n' "$policy" "$registration_check" "$checks_per_hour"
} >"$work/config.json"

# GitHub, faked on 127.0.0.1 (bench/fake-github.py): the start-up checks, each runner's first check and, under the
# registration policy, each runner's question about twice an hour ask it.
coproc github { exec python3 bench/fake-github.py; }
read -r port <&"${github[0]}"
printf 'x\n' >"$work/token"
chmod 600 "$work/token"

# systemd's side of sd_notify: a datagram socket that writes each STATUS= notification (one per check) as a line.
python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    message = s.recv(4096).decode()
    if "STATUS=" in message:
        print(message.replace("\n", " "))
' "$work/notify" >"$work/checks" &
notify=$!
while [[ ! -S $work/notify ]]; do sleep 0.05; done

# The daemon's log goes through a filter that keeps runner-0's decisions and every warning or worse (journal levels
# 0 to 4, "<4>" for a warning).
mkfifo "$work/log"
tee >(grep -E '^<[0-4]>' >"$work/problems") <"$work/log" | grep --line-buffered 'runner-0: source=' >"$work/decisions" &
# .NET's systemd integration turns on when the parent process is named systemd: a shell named so starts the daemon.
ln -s /bin/sh "$work/systemd"
launched=$(date +%s.%N)
NOTIFY_SOCKET=$work/notify RUNNER_ALLOW_RUNASROOT=1 "$work/systemd" -c '"$@"; exit $?' systemd \
  "$binary" --daemon --config "$work/config.json" --log-file /dev/null \
  --token-file "$work/token" --api-url "http://127.0.0.1:$port" >"$work/log" 2>&1 &
shell=$!
until daemon=$(pgrep -P "$shell"); do sleep 0.05; done

ticks=$(getconf CLK_TCK)
# utime + stime (fields 14 and 15 of /proc/PID/stat, counted after the ") " that ends the command's name).
cpu() { sed 's/.*) //' "/proc/$daemon/stat" | awk '{ print $12 + $13 }'; }
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$daemon/status"; }
done_checks() { wc -l <"$work/checks"; }
wait_for() {
  while (($(done_checks) < $1)); do
    kill -0 "$daemon" 2>/dev/null || { echo "the daemon exited early:" >&2; tail -5 "$work/problems" >&2; exit 1; }
    sleep 0.2
  done
}

wait_for 1
cpu_start=$(cpu)
if [[ $policy == Registration ]]; then
  python3 - "$work/state" "$runners" "$registration_check" "$checks_per_hour" <<'PY'
import json, os, sys
from datetime import datetime, timedelta, timezone
state, runners, interval, per_hour = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
days, _, clock = interval.rpartition(".")
h, m, s = (int(x) for x in clock.split(":"))
span = max(timedelta(days=int(days or 0), hours=h, minutes=m, seconds=s), timedelta(hours=runners / per_hour))
now = datetime.now(timezone.utc)
for i in range(runners):
    path = f"{state}/runner-{i}/github-check.json"
    if os.path.exists(path):
        with open(path) as f:
            record = json.load(f)
    else:
        # Not asked yet: the first check asks at most 30 (a minute's questions); the others as if GitHub had listed them.
        record = {"version": 1, "checked_at": now.isoformat(), "listed": True}
    record["next_check_at"] = (now + span * ((i + 0.5) / runners)).isoformat()
    with open(path + ".new", "w") as f:
        json.dump(record, f)
    os.chmod(path + ".new", 0o600)
    os.replace(path + ".new", path)
PY
fi
first_after=$(echo "$(date +%s.%N) - $launched" | bc -l)
if ! grep -q 'action=none' "$work/decisions"; then
  echo "the first check did not decide action=none:" >&2
  cat "$work/decisions" >&2
  exit 1
fi
printf 'daemon %s, %d runner(s), %d checks at an interval of %d s\n' "$binary" "$runners" "$checks" "$interval"
printf '  %8s %10s %10s\n' check 'VmRSS MiB' 'VmHWM MiB'
step=$(((checks + 9) / 10))
for ((at = 1; ; at += step)); do
  ((at > checks)) && at=$checks
  wait_for "$at"
  rss=$(kib VmRSS)
  [[ $at == 1 ]] && rss_first=$rss
  if [[ $at == 1 ]]; then
    wait_for 2
    cpu_first=$(cpu)
    start=$(date +%s.%N)
  fi
  if [[ -z ${cpu_half:-} ]] && ((at > 2 && at >= checks / 2)); then
    cpu_half=$(cpu)
    half=$at
  fi
  printf '  %8d %10.1f %10.1f\n' "$at" "$(echo "$rss / 1024" | bc -l)" "$(echo "$(kib VmHWM) / 1024" | bc -l)"
  ((at == checks)) && break
done
cpu_last=$(cpu)
grep -E "^(RssAnon|RssFile|RssShmem)" "/proc/$daemon/status" | tr -s " " | sed "s/^/  /" | paste -sd" "
if [[ -s $work/problems ]]; then
  echo "  the daemon logged $(wc -l <"$work/problems") warning(s) or worse, the first:"
  head -3 "$work/problems" | cut -c1-300 | sed 's/^/    /'
fi
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
if [[ $policy == Registration ]]; then
  python3 - "$work/state" "$runners" "$start" <<'PY'
import json, sys
from datetime import datetime
state, runners, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
asked = sum(datetime.fromisoformat(json.load(open(f"{state}/runner-{i}/github-check.json"))["checked_at"]).timestamp() > start
            for i in range(runners))
print(f"  GitHub asked about {asked} runner(s) after the second check")
PY
fi
awk -v w="$first_after" -v s="$cpu_start" -v f="$rss_first" -v l="$rss" -v h="$(kib VmHWM)" -v c0="$cpu_first" -v c1="$cpu_last" -v t="$ticks" -v n="$checks" -v r="$runners" -v e="$elapsed" -v ch="${cpu_half:-$cpu_last}" -v h2="${half:-$checks}" 'BEGIN {
  printf "  RSS after the first check %.1f MiB, after check %d %.1f MiB (%+.1f MiB), peak %.1f MiB\n", f / 1024, n, l / 1024, (l - f) / 1024, h / 1024
  printf "  CPU of the start and the first check %.0f ms; the first check ended %.1f s after the launch\n", s / t * 1000, w
  per = (c1 - c0) / t / (n - 2) * 1000
  printf "  CPU per check %.2f ms (%.1f us per runner), over %d checks in %.0f s\n", per, per * 1000 / r, n - 2, e
  if (n > h2) printf "  CPU per check from check %d to %d (the second half): %.2f ms\n", h2, n, (c1 - ch) / t / (n - h2) * 1000
}'

#!/usr/bin/env bash
# Whole-process comparison of the one-shot check, nothing due, against the bash script it replaces (issue 11, goal 2):
# the same runner files (a copy of samples/actions-runner), pairs run interleaved, wall time and peak RSS of each.
#
#   bench/compare-seed.sh [BINARY] [PAIRS]
#
# BINARY defaults to the Native AOT publish (artifacts/aot/runner-token-refresh); SEED (default ../shared/bench/
# seed-check.sh beside the repository) is the reference script, which needs jq. Prints the medians and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-artifacts/aot/runner-token-refresh}")
pairs=${2:-20}
seed=$(realpath "${SEED:-../shared/bench/seed-check.sh}")
[[ -x $binary ]] || { echo "no binary at $binary: publish it first (the README's Native AOT command)" >&2; exit 2; }
[[ -f $seed ]] || { echo "no reference script at $seed (set SEED)" >&2; exit 2; }
command -v jq >/dev/null || { echo "the reference script needs jq" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r samples/actions-runner "$work/runner"
mkdir -p "$work/state/sample-runner"
# Both find a registration token that expires far away: ours in its state file, the script in its cache file.
expires=2099-01-01T00:00:00Z
printf '{ "registration_token_expires_at": "%s", "consecutive_failures": 0 }\n' "$expires" >"$work/state/sample-runner/state.json"
printf '%s\n' "$expires" >"$work/runner/.token_expiry"

ours=(env STATE_DIRECTORY="$work/state" METRICS_FILE="$work/metrics.json" LOG_FILE=/dev/null
  "$binary" --check-and-refresh --runner-dir "$work/runner")
theirs=(env RUNNER_DIR="$work/runner" METRICS_FILE="$work/seed-metrics.json" RUNNER_ORG=your-org RUNNER_NAME=sample-runner
  bash "$seed")

# Both must decide "nothing to do", or the comparison is of different work.
"${ours[@]}" 2>&1 | grep -q 'action=none' || { echo "the check did not decide action=none:" >&2; "${ours[@]}" >&2 || true; exit 1; }
"${theirs[@]}" 2>&1 | grep -q 'no refresh needed' || { echo "the reference did not decide 'no refresh needed'" >&2; exit 1; }

# One run of "$@": appends "nanoseconds peak_kib" to the file named first. Wall time around the whole process;
# peak RSS from /usr/bin/time (the largest process of the run: for the script, bash or one of its jq/date children).
run() {
  local into=$1
  shift
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  echo "$((end - start)) $(cat "$work/rss")" >>"$into"
}

# A timer runs the check once a minute, so each run finds the metrics file a minute old and writes the check's time
# stamp (the command writes it only when 30 s old or older); the pairs here follow each other within a second, so
# before each run, outside the time measured, the file's time stamp is put back a minute (the script writes its
# own file at every run anyway).
age_metrics() {
  [[ -f $work/metrics.json ]] || return 0
  sed -i -E "s/(\"last_check_timestamp\": )[0-9]+/\1$(($(date +%s) - 60))/" "$work/metrics.json"
}

for ((i = 0; i < pairs; i++)); do
  age_metrics
  run "$work/ours.txt" "${ours[@]}"
  run "$work/theirs.txt" "${theirs[@]}"
done

median() { sort -n -k"$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ours_ns=$(median "$work/ours.txt" 1)
theirs_ns=$(median "$work/theirs.txt" 1)
ours_kib=$(median "$work/ours.txt" 2)
theirs_kib=$(median "$work/theirs.txt" 2)
awk -v on="$ours_ns" -v tn="$theirs_ns" -v ok="$ours_kib" -v tk="$theirs_kib" -v pairs="$pairs" -v bin="$binary" 'BEGIN {
  printf "one-shot check, nothing due, %d interleaved pairs, medians\n", pairs
  printf "  %-40s %8.1f ms %8.1f MiB\n", "bash seed-check.sh", tn / 1e6, tk / 1024
  printf "  %-40s %8.1f ms %8.1f MiB\n", bin, on / 1e6, ok / 1024
  printf "  time ratio (ours / bash): %.2fx\n", on / tn
}'

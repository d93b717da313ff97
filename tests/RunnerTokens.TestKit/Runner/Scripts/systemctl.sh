#!/bin/bash
# Fake systemctl (RunnerTokens.TestKit): stop, start and is-active per unit, system and --user units apart. A unit
# installed with its runner directory runs an emulated listener on start: a new _diag/Runner_*.log, then
# "Listening for Jobs" while the fake GitHub API still lists the runner (same key), else the listener's error and the
# unit ends inactive (dead) shortly after, as a real one whose listener exits for good. Its records and knobs live in
# $STATE; slow transitions run in a background subshell that a later command on the unit voids.
set -u
STATE=__STATE__
SEQUENCE=__SEQUENCE__
RUNNER_VERSION=2.336.0
# How long a refused listener's unit stays active before it goes inactive.
LISTENER_EXIT_SECONDS=1

printf '%s\n' "$*" >> "$STATE/calls.log"
# The whole environment of each call, for the tests that no secret reaches systemctl.
{ env; printf -- '--\n'; } >> "$STATE/environment.log"
[ -n "$SEQUENCE" ] && printf 'systemctl %s\n' "$*" >> "$SEQUENCE"
user=0
value=0
properties=()
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=1 ;;
    --no-ask-password|--quiet|-q|--no-pager) ;;
    --value) value=1 ;;
    -p|--property) shift; properties+=("${1:-}") ;;
    --property=*) properties+=("${1#--property=}") ;;
    *) args+=("$1") ;;
  esac
  shift
done
verb="${args[0]:-}"
unit="${args[1]:-}"
kind=system; [ "$user" -eq 1 ] && kind=user
dir="$STATE/$kind"
meta="$STATE/meta/$kind"
mkdir -p "$dir" "$meta"
[ -f "$STATE/hang-$verb" ] && sleep 600
if [ -f "$STATE/fail-$verb-once" ]; then cat "$STATE/fail-$verb-once" >&2; rm -f "$STATE/fail-$verb-once"; exit 1; fi
if [ -f "$STATE/fail-$verb" ]; then cat "$STATE/fail-$verb" >&2; exit 1; fi

# A lock per unit (mkdir is atomic); a stale one is broken after 5 s, and none is needed once the machine is gone.
lock() { local i=0; until mkdir "$meta/$unit.lock" 2>/dev/null; do [ -d "$meta" ] || return 0; sleep 0.01; i=$((i + 1)); [ "$i" -gt 500 ] && break; done; }
unlock() { rmdir "$meta/$unit.lock" 2>/dev/null; }
# Replaced by a rename, as systemd's state is never seen half-written: is-active, which takes no lock, would otherwise
# read the file between its truncation and its write and print nothing.
set_state() { printf '%s\n' "$1" > "$meta/$unit.state.$BASHPID" && mv -f "$meta/$unit.state.$BASHPID" "$dir/$unit"; }
# Each change of the unit starts a generation; a transition still pending from an older one is void.
begin() {
  lock
  gen=$(( $(cat "$meta/$unit.gen" 2>/dev/null || echo 0) + 1 ))
  echo "$gen" > "$meta/$unit.gen"
}
# later SECONDS STATE [LEVEL MESSAGE]: in the background, after SECONDS, unless the unit changed meanwhile, log
# MESSAGE to the listener's log and set STATE. Its output goes nowhere, so systemctl's caller sees this one end.
later() {
  local seconds="$1" state="$2" level="${3:-}" message="${4:-}" g="$gen"
  echo "$g" > "$meta/$unit.pending"
  (
    sleep "$seconds"
    lock
    if [ "$(cat "$meta/$unit.gen" 2>/dev/null)" = "$g" ]; then
      [ -n "$message" ] && log "$level" "$message"
      set_state "$state"
      rm -f "$meta/$unit.pending"
    fi
    unlock
  ) </dev/null >/dev/null 2>&1 &
  disown
}
log() {
  local level="$1" message="$2" source=Terminal prefix="WRITE LINE: "
  [ "$level" = ERR ] && { level='ERR '; prefix="WRITE ERROR: "; }
  [ -n "${DIAG:-}" ] && printf '[%s %s %s] %s%s\n' "$(date -u '+%Y-%m-%d %H:%M:%SZ')" "$level" "$source" "$prefix" "$message" >> "$DIAG"
}
trace() { [ -n "${DIAG:-}" ] && printf '[%s INFO %s] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%SZ')" "$1" "$2" >> "$DIAG"; }

# session FILE: asks the fake GitHub whether the runner of FILE (.runner or .runner_migrated) may connect with the
# key it holds. Prints listening, deleted, key or an error.
session() {
  local api settings id modulus code
  api="$(cat "$STATE/config/api-url" 2>/dev/null)"
  [ -n "$api" ] || { echo "no fake GitHub API is configured (FakeSystemctl.UseApi, or new FakeRunnerMachine(api))"; return; }
  settings="$(sed '1s/^\xEF\xBB\xBF//' "$1")"
  id="$(jq -r '.agentId // empty' <<< "$settings" 2>/dev/null)"
  [ -n "$id" ] || { echo "$1 has no agentId"; return; }
  modulus="$(jq -r '.modulus // empty' "$root/.credentials_rsaparams" 2>/dev/null)"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${api%/}/_fake/listener/$id?modulus=$(jq -rn --arg m "$modulus" '$m | @uri')")"
  case "$code" in 200) echo listening ;; 404) echo deleted ;; 401) echo key ;; *) echo "the fake GitHub API answered $code" ;; esac
}

# The listener Runner.Listener runs as the unit's process (runsvc.sh), as far as its log and exit show it.
listener() {
  root="$1"
  mkdir -p "$root/_diag"
  local seconds verdict="" file
  seconds="$(date -u +%s)"
  while :; do
    DIAG="$root/_diag/Runner_$(date -u -d "@$seconds" +%Y%m%d-%H%M%S)-utc.log"
    ( set -o noclobber; : > "$DIAG" ) 2>/dev/null && break
    seconds=$((seconds + 1))
  done
  trace Listener "Runner is built for Linux (X64) - https://github.com/actions/runner/releases/tag/v$RUNNER_VERSION"
  trace Listener "Version: $RUNNER_VERSION"
  trace Listener "Arguments parsed"
  if { [ -f "$root/.runner" ] || [ -f "$root/.runner_migrated" ]; } && { [ -f "$root/.credentials" ] || [ -f "$root/.credentials_migrated" ]; }; then
    # Runner.RunAsync: a session with the migrated settings first, else with .runner.
    for file in "$root/.runner_migrated" "$root/.runner"; do
      [ -f "$file" ] || continue
      verdict="$(session "$file")"
      [ "$verdict" = listening ] && break
    done
  else
    log ERR "Not configured. Run config.(sh/cmd) to configure the runner."
    later "$LISTENER_EXIT_SECONDS" inactive
    return
  fi
  # A session refused for another reason (OAuth access denied, clock skew): the listener logs it and exits.
  [ -f "$STATE/session-refused" ] && verdict=refused
  case "$verdict" in
    listening)
      log INFO "Current runner version: '$RUNNER_VERSION'"
      if [ -f "$STATE/listen-delay" ]; then
        # A listener slow to create its session (a slow network): it logs "Listening for Jobs" later, unless the
        # unit changed meanwhile (stopped, or started anew).
        later "$(cat "$STATE/listen-delay")" active INFO "$(date -u '+%Y-%m-%d %H:%M:%SZ'): Listening for Jobs"
        return
      fi
      log INFO "$(date -u '+%Y-%m-%d %H:%M:%SZ'): Listening for Jobs"
      if [ -f "$STATE/listener-fail" ]; then
        later "$(head -n 1 "$STATE/listener-fail")" inactive ERR "$(tail -n +2 "$STATE/listener-fail")"
      fi
      ;;
    deleted|key)
      # BrokerMessageListener: "invalid_client" (no such runner, or not its key) means the registration is gone.
      log ERR "Failed to create a session. The runner registration has been deleted from the server, please re-configure. Runner registrations are automatically deleted for runners that have not connected to the service recently."
      later "$LISTENER_EXIT_SECONDS" inactive
      ;;
    refused)
      log ERR "$(cat "$STATE/session-refused")"
      later "$LISTENER_EXIT_SECONDS" inactive
      ;;
    *)
      log ERR "fake systemctl: $verdict"
      later "$LISTENER_EXIT_SECONDS" inactive
      ;;
  esac
}

case "$verb" in
  stop|start)
    if [ ! -f "$dir/$unit" ]; then echo "Failed to $verb $unit: Unit $unit not loaded." >&2; exit 5; fi
    begin
    rm -f "$meta/$unit.pending"
    if [ "$verb" = stop ]; then
      if [ -f "$STATE/stay-active" ]; then
        :
      elif [ -f "$STATE/stop-delay" ] && [ "$(cat "$dir/$unit")" = active ]; then
        set_state deactivating
        later "$(cat "$STATE/stop-delay")" inactive
      else
        set_state inactive
      fi
    elif [ -f "$STATE/start-fails" ]; then
      set_state failed
    else
      set_state active
      runner_directory="$(cat "$meta/$unit.dir" 2>/dev/null)"
      [ -n "$runner_directory" ] && [ -d "$runner_directory" ] && listener "$runner_directory"
    fi
    unlock
    ;;
  show)
    # systemctl show -p LoadState [--value] UNIT: exit 0 whether the unit exists or not; a unit never installed is
    # "not-found", as systemd says for a unit file it cannot find.
    [ -n "$unit" ] || { echo "fake systemctl: show without a unit is not supported" >&2; exit 1; }
    for p in "${properties[@]}"; do
      case "$p" in
        LoadState) v=not-found; [ -f "$dir/$unit" ] && v=loaded ;;
        ActiveState) v="$(cat "$dir/$unit" 2>/dev/null || echo inactive)" ;;
        *) echo "fake systemctl: property $p is not supported" >&2; exit 1 ;;
      esac
      if [ "$value" -eq 1 ]; then echo "$v"; else echo "$p=$v"; fi
    done
    ;;
  is-active)
    state="$(cat "$dir/$unit" 2>/dev/null || echo inactive)"
    echo "$state"
    [ "$state" = active ] || [ "$state" = reloading ] && exit 0
    exit 3
    ;;
  *) echo "Unknown command verb '$verb'." >&2; exit 1 ;;
esac
exit 0

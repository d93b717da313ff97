#!/bin/bash
# Fake docker client (RunnerTokens.TestKit): rm -f, run -d, inspect --type container --format, logs [--tail N], with
# the flags a runner's container needs and no others (an unknown command or flag fails, as docker's does). Each
# container is a folder in $STATE/containers holding its state ("running 0", "exited 1"), its environment and its
# log. "run" refuses a name in use, and needs every variable given as a bare "-e NAME" in its own environment (docker
# would silently pass nothing). A GitHub credential in docker's environment, or a registration token in any command's
# but run's, fails the call: the caller must keep secrets from programs that need none.
set -u
STATE=__STATE__
CONTAINERS="$STATE/containers"
mkdir -p "$CONTAINERS"

# One line per call: the arguments, each between [ and ], so the tests see exactly what was on the command line.
{ for a in "$@"; do printf '[%s] ' "$a"; done; printf '\n'; } >> "$STATE/calls.log"

fail() { printf '%s\n' "$2" >&2; exit "$1"; }
[ -n "${GITHUB_TOKEN:-}${GH_TOKEN:-}" ] && fail 97 "fake docker: a GitHub credential (GITHUB_TOKEN/GH_TOKEN) reached docker's environment"
verb="${1:-}"
[ $# -gt 0 ] && shift
[ "$verb" != run ] && [ -n "${RUNNER_TOKEN+x}" ] && fail 97 "fake docker: RUNNER_TOKEN reached the environment of 'docker $verb', which needs no token"

unknown_flag() { fail 125 "unknown flag: $1
See 'docker $verb --help'."; }

case "$verb" in
  rm)
    force=0; names=()
    while [ $# -gt 0 ]; do
      case "$1" in
        -f|--force) force=1 ;;
        -*) unknown_flag "$1" ;;
        *) names+=("$1") ;;
      esac
      shift
    done
    [ "${#names[@]}" -eq 1 ] || fail 1 "fake docker: rm takes exactly one container here, got ${#names[@]}"
    name="${names[0]}"
    if [ ! -d "$CONTAINERS/$name" ]; then
      # docker rm -f ignores a container that does not exist (docker/cli: errdefs.IsNotFound), with a note on stderr.
      printf 'Error response from daemon: No such container: %s\n' "$name" >&2
      [ "$force" -eq 1 ] && exit 0 || exit 1
    fi
    read -r status _ < "$CONTAINERS/$name/state"
    [ "$status" = running ] && [ "$force" -eq 0 ] && fail 1 "Error response from daemon: cannot remove container \"/$name\": container is running: stop the container before removing or force remove"
    rm -rf "${CONTAINERS:?}/$name"
    printf '%s\n' "$name"
    ;;
  run)
    detach=0; name=""; envs=(); image=""
    while [ $# -gt 0 ]; do
      case "$1" in
        -d|--detach) detach=1 ;;
        --name) shift; name="${1:-}" ;;
        --name=*) name="${1#--name=}" ;;
        -e|--env) shift; envs+=("${1:-}") ;;
        --env=*) envs+=("${1#--env=}") ;;
        -*) unknown_flag "$1" ;;
        *) image="$1"; shift; break ;;
      esac
      shift
    done
    [ -n "$image" ] || fail 125 "\"docker run\" requires at least 1 argument."
    [ $# -eq 0 ] || fail 1 "fake docker: a command after the image ($*) is not expected: the image's entrypoint registers the runner"
    [ "$detach" -eq 1 ] || fail 1 "fake docker: run without -d would block the caller until the runner ends"
    [ -n "$name" ] || fail 1 "fake docker: run without --name: the container could not be found again"
    [ -e "$CONTAINERS/$name" ] && fail 125 "docker: Error response from daemon: Conflict. The container name \"/$name\" is already in use by container \"$(cat "$CONTAINERS/$name/id")\". You have to remove (or rename) that container to be able to reuse that name."
    environment=""
    for e in "${envs[@]}"; do
      case "$e" in
        *=*) environment+="$e"$'\n' ;;
        *)
          # A bare NAME takes the value from docker's own environment; docker passes nothing when it is unset.
          [ -n "${!e+x}" ] || fail 98 "fake docker: -e $e given, but $e is not in docker's environment: the container would get none"
          environment+="$e=${!e}"$'\n' ;;
      esac
    done
    grep -q '^RUNNER_TOKEN=.' <<< "$environment" || fail 98 "fake docker: the container gets no RUNNER_TOKEN: its runner could not register"
    id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    mkdir -p "$CONTAINERS/$name"
    printf '%s' "$environment" > "$CONTAINERS/$name/env"
    printf '%s\n' "$image" > "$CONTAINERS/$name/image"
    printf '%s\n' "$id" > "$CONTAINERS/$name/id"
    printf 'running 0\n' > "$CONTAINERS/$name/state"
    # What the runner in the container prints once registered (config.sh, then run.sh).
    printf '%s\n' "√ Connected to GitHub" "" "Current runner version: '2.336.0'" "$(date -u '+%Y-%m-%d %H:%M:%SZ'): Listening for Jobs" > "$CONTAINERS/$name/log"
    printf '%s\n' "$id"
    ;;
  inspect)
    type=""; format=""; names=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --type) shift; type="${1:-}" ;;
        -f|--format) shift; format="${1:-}" ;;
        -*) unknown_flag "$1" ;;
        *) names+=("$1") ;;
      esac
      shift
    done
    [ "$type" = container ] || fail 1 "fake docker: inspect only --type container here, got '$type'"
    [ "$format" = '{{.State.Status}} {{.State.ExitCode}}' ] || fail 1 "fake docker: inspect --format '$format' is not one this fake knows"
    [ "${#names[@]}" -eq 1 ] || fail 1 "fake docker: inspect takes exactly one container here, got ${#names[@]}"
    [ -d "$CONTAINERS/${names[0]}" ] || fail 1 "Error: No such container: ${names[0]}"
    cat "$CONTAINERS/${names[0]}/state"
    ;;
  logs)
    tail=all; names=()
    while [ $# -gt 0 ]; do
      case "$1" in
        -n|--tail) shift; tail="${1:-}" ;;
        -*) unknown_flag "$1" ;;
        *) names+=("$1") ;;
      esac
      shift
    done
    [ "${#names[@]}" -eq 1 ] || fail 1 "fake docker: logs takes exactly one container here, got ${#names[@]}"
    [ -d "$CONTAINERS/${names[0]}" ] || fail 1 "Error response from daemon: No such container: ${names[0]}"
    if [ "$tail" = all ]; then cat "$CONTAINERS/${names[0]}/log"; else tail -n "$tail" "$CONTAINERS/${names[0]}/log"; fi
    ;;
  *)
    fail 1 "docker: '$verb' is not a docker command.
See 'docker --help'"
    ;;
esac

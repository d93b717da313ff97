#!/bin/bash
# Fake config.sh (RunnerTokens.TestKit). Behaves like actions/runner 2.336.0's config.sh, env.sh and
# `Runner.Listener configure|remove` where RunnerTokens relies on them (read from the runner's source, see
# RUNNER-FACTS.md), and talks to the fake GitHub API over HTTP (v2 flow, `Authorization: RemoteAuth`) with curl
# and jq. Not modelled: prompts (use --unattended and pass every value), --pat, the legacy (pre-v2) flow, retries.
# Its records and knobs live in $CONTROL, outside the runner directory.
set -u
CONTROL=__CONTROL__
SEQUENCE=__SEQUENCE__
RUNNER_VERSION=2.336.0

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; s="${s%"${s##*[![:space:]]}"}"; printf '%s' "$s"; }

# ---- Runner.Listener's CommandLineParser: `cmd --arg value --flag`; names case-insensitive; first value wins. ----
shopt -s nocasematch
if [[ "${1:-}" == "remove" ]]; then listener_args=("$@"); else listener_args=(configure "$@"); fi
shopt -u nocasematch
commands=()
declare -A flags=() args=() envargs=()
has_args=0
scope=""
for arg in "${listener_args[@]}"; do
  [[ "$arg" == --* ]] && has_args=1
  if [ "$arg" = "/?" ]; then
    flags[help]=1
  elif [ "$has_args" -eq 0 ]; then
    commands+=("$(trim "$arg")")
  elif [[ "$arg" == --?* ]]; then
    [ -n "$scope" ] && flags[$(trim "${scope,,}")]=1
    scope="${arg:2}"
  elif [[ "$arg" != -* ]] && [ -n "$scope" ]; then
    key="$(trim "${scope,,}")"
    if [ -z "${args[$key]+x}" ]; then args[$key]="$arg"; scope=""; fi
  fi
done
[ -n "$scope" ] && flags[${scope,,}]=1

# ---- CommandSettings: every option also from ACTIONS_RUNNER_INPUT_<NAME> (case-insensitive), cleared once read. ----
present=()
while IFS= read -r -d '' entry; do
  name="${entry%%=*}"
  value="${entry#*=}"
  upper="${name^^}"
  if [[ "$upper" == ACTIONS_RUNNER_INPUT_* ]]; then
    key="${name:21}"
    key="${key,,}"
    value="$(trim "$value")"
    [ -n "$value" ] && envargs[$key]="$value"
    [ "$key" != token ] && present+=("$name")
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && unset "$name"
  fi
  case "$name" in GITHUB_TOKEN|GH_TOKEN|GITHUB_ACTIONS_RUNNER_HTTPTRACE) present+=("$name") ;; esac
done < <(env -0)

get_arg() { if [ -n "${args[$1]+x}" ]; then printf '%s' "${args[$1]}"; elif [ -n "${envargs[$1]+x}" ]; then printf '%s' "${envargs[$1]}"; fi; }
test_flag() { [ -n "${flags[$1]+x}" ] || [[ "${envargs[$1]:-}" =~ ^[Tt][Rr][Uu][Ee]$ ]]; }

cmd=configure
[[ "${commands[0]:-}" =~ ^[Rr][Ee][Mm][Oo][Vv][Ee]$ ]] && cmd=remove
token="$(get_arg token)"

# ---- The record of this run (the token apart, for the tests that must see it), then the sequence. ----
token_env=false; [ -n "${envargs[token]+x}" ] && token_env=true
allow_json=null; [ -n "${RUNNER_ALLOW_RUNASROOT+x}" ] && allow_json="$(jq -cn --arg v "$RUNNER_ALLOW_RUNASROOT" '$v')"
jq -cn --argjson tokenFromEnvironment "$token_env" --argjson allowRunAsRoot "$allow_json" \
  --argjson environment "$(jq -cn '$ARGS.positional' --args -- "${present[@]}")" \
  '{tokenFromEnvironment: $tokenFromEnvironment, allowRunAsRoot: $allowRunAsRoot, environment: $environment, arguments: $ARGS.positional}' \
  --args -- "$@" >> "$CONTROL/calls.jsonl"
printf '%s\t%s\n' "$cmd" "$token" >> "$CONTROL/tokens.log"
[ -n "$SEQUENCE" ] && printf 'config.sh %s\n' "$*" >> "$SEQUENCE"

# ---- config.sh itself: root check, cd to the runner root, env.sh. ----
uid="$(cat "$CONTROL/uid" 2>/dev/null || id -u)"
if [ "$uid" -eq 0 ] && [ -z "${RUNNER_ALLOW_RUNASROOT:-}" ]; then echo "Must not run with sudo"; exit 1; fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT" || exit 1

# env.sh, as the runner's: rewrites .path, appends a variable to .env when set here and "NAME=" is nowhere in .env.
envContents=""
if [ -f ".env" ]; then envContents="$(cat .env)"; else touch .env; fi
echo $PATH>.path
for var_name in LANG JAVA_HOME ANT_HOME M2_HOME ANDROID_HOME ANDROID_SDK_ROOT GRADLE_HOME NVM_BIN NVM_PATH LD_LIBRARY_PATH PERL5LIB; do
  if test "${envContents#*"${var_name}="}" = "$envContents" && [ -n "${!var_name:-}" ]; then
    echo "${var_name}=${!var_name}" >> .env
  fi
done

# ---- Runner.Listener: its own _diag log per run (Runner_yyyyMMdd-HHmmss-utc.log; a later second when taken). ----
mkdir -p "$ROOT/_diag"
seconds="$(date -u +%s)"
while :; do
  DIAG="$ROOT/_diag/Runner_$(date -u -d "@$seconds" +%Y%m%d-%H%M%S)-utc.log"
  ( set -o noclobber; : > "$DIAG" ) 2>/dev/null && break
  seconds=$((seconds + 1))
done
trace() { printf '[%s %s %s] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%SZ')" "$2" "$1" "$3" >> "$DIAG"; }
say() { printf '%s\n' "$1"; trace Terminal INFO "WRITE LINE: $1"; }
success() { printf '√ %s\n' "$1"; }                # WriteSuccessMessage: the console only, never _diag
section() { printf '\n# %s\n\n' "$1"; }           # WriteSection: the console only
err() { printf '%s\n' "$1" >&2; trace Terminal 'ERR ' "WRITE ERROR: $1"; }
die() { err "$1"; exit 1; }
trace Listener INFO "Runner is built for Linux (X64) - https://github.com/actions/runner/releases/tag/v$RUNNER_VERSION"
trace Listener INFO "Version: $RUNNER_VERSION"
trace Listener INFO "Arguments parsed"

unknown=()
for c in "${commands[@]}"; do [[ "${c,,}" =~ ^(configure|remove)$ ]] || unknown+=("$c"); done
if [ "${#unknown[@]}" -eq 0 ]; then
  if [ "$cmd" = remove ]; then valid=" token pat local "; else valid=" disableupdate ephemeral generateserviceconfig replace runasservice unattended no-default-labels auth labels monitorsocketaddress name pat runnergroup token url username windowslogonaccount windowslogonpassword work "; fi
  for k in "${!flags[@]}" "${!args[@]}"; do [[ "$valid help version commit check " == *" $k "* ]] || unknown+=("$k"); done
fi
if [ "${#unknown[@]}" -gt 0 ]; then
  list="$(IFS=,; printf '%s' "${unknown[*]}")"
  err "Unrecognized command-line input arguments for command $cmd: '${list//,/, }'. For usage refer to: .\\config.cmd --help or ./config.sh --help"
fi

[ -f "$CONTROL/echo-token" ] && echo "debug: using token $token"
# hanging-CMD: the test sees the hang begun (healing the marker earlier would let the command run on).
[ -f "$CONTROL/hang-$cmd" ] && { : > "$CONTROL/hanging-$cmd"; sleep 600; }
[ -f "$CONTROL/fail-$cmd" ] && die "$(cat "$CONTROL/fail-$cmd")"

unattended=0; test_flag unattended && unattended=1

# GetArgOrPrompt: the option if set and valid, else the default, else (optional) empty, else the unattended error.
valid_url() { [[ "$1" =~ ^[Hh][Tt][Tt][Pp][Ss]?://[^/]+ ]]; }
non_empty() { [ -n "$1" ]; }
valid_labels() { local l; local IFS=,; for l in $1; do [ "${#l}" -le 256 ] || return 1; done; }
arg_or_default() {
  local name="$1" default="$2" validator="$3" optional="${4:-0}" value
  value="$(get_arg "$name")"
  if [ -n "$value" ] && "$validator" "$value"; then printf '%s' "$value"; return 0; fi
  if [ -n "$default" ]; then printf '%s' "$default"; return 0; fi
  [ "$optional" = 1 ] && return 0
  if [ "$unattended" -eq 1 ]; then err "Invalid configuration provided for $name. Terminating unattended configuration."
  else err "fake config.sh: the runner would prompt for '$name' here (prompts are not modelled: pass --$name or ACTIONS_RUNNER_INPUT_${name^^})"; fi
  return 1
}

# ---- GitHub, as RunnerDotcomServer calls it: API root from the URL's host (no port), RemoteAuth, no retries. ----
API="$(cat "$CONTROL/api-url" 2>/dev/null)"
url_host() { local rest="${1#*://}"; rest="${rest%%[/?#]*}"; rest="${rest##*@}"; printf '%s' "${rest%%:*}"; }
is_hosted() { local host; host="$(url_host "$1")"; [[ "${host,,}" =~ ^(github\.com|github\.localhost|.*\.ghe\.com|.*\.ghe\.localhost)$ ]]; }
entity() {
  local rest="${1#*://}" segments=() s
  if [[ "$rest" == */* ]]; then rest="${rest#*/}"; else rest=""; fi
  rest="${rest%%[?#]*}"
  local IFS='/\'
  for s in $rest; do [ -n "$s" ] && segments+=("$s"); done
  case "${#segments[@]}" in
    1) printf 'orgs/%s/actions' "${segments[0]}" ;;
    2) if [[ "${segments[0],,}" == enterprises ]]; then printf '%s/%s/actions' "${segments[0]}" "${segments[1]}"; else printf 'repos/%s/%s/actions' "${segments[0]}" "${segments[1]}"; fi ;;
    *) return 1 ;;
  esac
}
api_root() {
  [ -n "$API" ] || die "fake config.sh: no fake GitHub API is configured (FakeConfigSh.UseApi, or new FakeRunnerMachine(api)): cannot reach GitHub for $1"
  if is_hosted "$1"; then printf '%s' "${API%/}"; else printf '%s/api/v3' "${API%/}"; fi
}
status_name() {
  case "$1" in
    200) echo "OK|OK" ;; 201) echo "Created|Created" ;; 204) echo "NoContent|No Content" ;;
    400) echo "BadRequest|Bad Request" ;; 401) echo "Unauthorized|Unauthorized" ;; 403) echo "Forbidden|Forbidden" ;;
    404) echo "NotFound|Not Found" ;; 409) echo "Conflict|Conflict" ;; 422) echo "UnprocessableEntity|Unprocessable Entity" ;;
    429) echo "TooManyRequests|Too Many Requests" ;; 500) echo "InternalServerError|Internal Server Error" ;;
    502) echo "BadGateway|Bad Gateway" ;; 503) echo "ServiceUnavailable|Service Unavailable" ;; *) echo "$1|$1" ;;
  esac
}
# In $CONTROL, which the test deletes: a run the test kills (a hang, a time limit) leaves nothing in /tmp.
WORK_TMP="$(mktemp -d "$CONTROL/work.XXXXXX")"
trap 'rm -rf "$WORK_TMP"' EXIT
# call METHOD URL TOKEN [JSON]: sets BODY; on a failure prints what the runner prints, sets FAILURE, returns 1.
call() {
  local method="$1" url="$2" secret="$3" json="${4:-}" code rc
  local data=()
  if [ -n "$json" ]; then printf '%s' "$json" > "$WORK_TMP/request"; data=(--data-binary "@$WORK_TMP/request" -H 'Content-Type: application/json'); fi
  : > "$WORK_TMP/response"
  # The token goes in through stdin (-H @-), never into curl's argv.
  code="$(printf 'Authorization: RemoteAuth %s\n' "$secret" | curl -sS -o "$WORK_TMP/response" -w '%{http_code}' -X "$method" -H @- \
    -H "User-Agent: GitHubActionsRunner-linux-x64/$RUNNER_VERSION" "${data[@]}" --max-time 60 "$url" 2>"$WORK_TMP/curl-error")"
  rc=$?
  BODY="$(cat "$WORK_TMP/response")"
  if [ "$rc" -ne 0 ]; then
    FAILURE="$(sed -n '1s/^curl: ([0-9]*) //p' "$WORK_TMP/curl-error") ($url)"
    return 1
  fi
  if [[ "$code" == 2?? ]]; then
    trace RunnerDotcomServer INFO "Http response code: $(status_name "$code" | cut -d'|' -f1) from '${method^^} $url' ()"
    return 0
  fi
  local names; names="$(status_name "$code")"
  err "Http response code: ${names%%|*} from '$method $url' (Request Id: )"
  err "$BODY"
  FAILURE="Response status code does not indicate success: $code (${names#*|})."
  return 1
}
bom() { printf '\xEF\xBB\xBF'; }
exists_runner() { [ -f .runner ] || [ -f .runner_migrated ]; }
exists_credentials() { [ -f .credentials ] || [ -f .credentials_migrated ]; }

# ConfigurationManager.DeleteLocalRunnerConfig: the key goes only with a credentials file.
delete_local() {
  # The FailRemovePartway knob: a lasting I/O error in the runner directory, every remove stops after .credentials.
  [ -f "$CONTROL/partial-remove" ] && { rm -f .credentials; die "I/O error: could not delete $ROOT/.credentials_rsaparams"; }
  if exists_credentials; then
    rm -f .credentials
    [ -f "$CONTROL/keep-migrated" ] || rm -f .credentials_migrated
    rm -f .credentials_rsaparams
    success "Removed .credentials"
  else
    say "Does not exist. Skipping Removing .credentials"
  fi
  if exists_runner; then
    rm -f .runner
    [ -f "$CONTROL/keep-migrated" ] || rm -f .runner_migrated
    success "Removed .runner"
  else
    say "Does not exist. Skipping Removing .runner"
  fi
}

if [ "$cmd" = remove ]; then
  if test_flag local; then delete_local; exit 0; fi
  section "Runner removal"
  if [ -f .service ]; then
    say "Removing service"
    err "Failed: Removing service"
    die "Uninstall service first"
  fi
  current="Removing runner from the server"
  if exists_runner && exists_credentials; then
    [ -f .runner ] || { err "Failed: $current"; die "Value cannot be null. (Parameter 'configuredSettings')"; }
    settings="$(tail -c +4 .runner)"
    [ "$(head -c 3 .runner | od -An -tx1 | tr -d ' ')" = efbbbf ] || settings="$(cat .runner)"
    github_url="$(jq -r '.gitHubUrl // empty' <<< "$settings" 2>/dev/null)"
    agent_id="$(jq -r '.agentId // empty' <<< "$settings" 2>/dev/null)"
    agent_name="$(jq -r '.agentName // empty' <<< "$settings" 2>/dev/null)"
    admin_flow="$(jq -r '.useRunnerAdminFlow // false' <<< "$settings" 2>/dev/null)"
    [ -n "$github_url" ] && [ -n "$agent_id" ] || { err "Failed: $current"; die "fake config.sh: .runner has no gitHubUrl or agentId"; }
    [ -n "$(get_arg pat)" ] && { err "Failed: $current"; die "fake config.sh: --pat is not modelled; pass --token"; }
    if [ -f "$CONTROL/fail-remove-server" ]; then err "Failed: $current"; die "$(cat "$CONTROL/fail-remove-server")"; fi
    token="$(arg_or_default token "" non_empty)" || exit 1
    path="$(entity "$github_url")" || { err "Failed: $current"; die "'$github_url' should point to an org or enterprise."; }
    root="$(api_root "$github_url")" || exit 1
    if [ "$admin_flow" = true ]; then
      call DELETE "$root/$path/runners/$agent_id" "$token" || { err "Failed: $current"; die "$FAILURE"; }
    else
      # The older flow: the token buys tenant credentials first; the runner is then looked up by name and deleted.
      call POST "$root/actions/runner-registration" "$token" "$(jq -cn --arg url "$github_url" '{url: $url, runner_event: "remove"}')" \
        || { err "Failed: $current"; die "$FAILURE"; }
      if ! call DELETE "$root/$path/runners/$agent_id" "$token"; then
        [[ "$FAILURE" == *" 404 "* ]] || { err "Failed: $current"; die "$FAILURE"; }
        say "Does not exist. Skipping $current"
      fi
      : "$agent_name"
    fi
    say ""
    success "Runner removed successfully"
  else
    say "Cannot connect to server, because config files are missing. Skipping removing runner from the server."
  fi
  delete_local
  say ""
  exit 0
fi

# ---- configure: ConfigurationManager.ConfigureAsync, v2 (runner admin) flow. ----
printf '\n--------------------------------------------------------------------------------\n|        Self-hosted runner registration (fake config.sh, RunnerTokens.TestKit)   |\n--------------------------------------------------------------------------------\n'
exists_runner && die "Cannot configure the runner because it is already configured. To reconfigure the runner, run 'config.cmd remove' or './config.sh remove' first."
section "Authentication"
url="$(arg_or_default url "" valid_url)" || exit 1
[ -n "$(get_arg pat)" ] && die "fake config.sh: --pat is not modelled; pass --token"
token="$(arg_or_default token "" non_empty)" || exit 1
path="$(entity "$url")" || die "'$url' should point to an org or enterprise."
root="$(api_root "$url")" || exit 1
call POST "$root/actions/runner-registration" "$token" "$(jq -cn --arg url "$url" '{url: $url, runner_event: "register"}')" || die "$FAILURE"
tenant_url="$(jq -r '.url // empty' <<< "$BODY")"
[ "$(jq -r '.use_v2_flow // false' <<< "$BODY")" = true ] || die "fake config.sh: only the v2 flow (use_v2_flow: true) is modelled"
hosted=true; is_hosted "$url" || hosted=false
say ""
success "Connected to GitHub"

# RSAKeyManager.CreateKey: an existing key file is reused, else a new one is written, mode 600.
if [ -f .credentials_rsaparams ]; then
  modulus="$(jq -r '.modulus // empty' .credentials_rsaparams 2>/dev/null)"
  [ -n "$modulus" ] || die "fake config.sh: .credentials_rsaparams holds no RSA key (no modulus)"
  trace RSAKeyManager INFO "Loading RSA key parameters from file $ROOT/.credentials_rsaparams"
else
  part() { head -c "$1" /dev/urandom | base64 -w0; }
  modulus="$(part 256)"
  (umask 077; jq -cn --arg m "$modulus" --arg d "$(part 256)" --arg p "$(part 128)" --arg q "$(part 128)" --arg dp "$(part 128)" --arg dq "$(part 128)" --arg iq "$(part 128)" \
    '{d: $d, dp: $dp, dq: $dq, exponent: "AQAB", inverseQ: $iq, modulus: $m, p: $p, q: $q}' | tr -d '\n' > .credentials_rsaparams)
  chmod 600 .credentials_rsaparams
  trace RSAKeyManager INFO "Creating new RSA key using 2048-bit key length"
fi
public_key="<RSAKeyValue><Modulus>$modulus</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>"
[ -f "$CONTROL/partial-configure" ] && { err "Http response code: InternalServerError from 'POST $root/actions/runners/register' (Request Id: )"; die "Response status code does not indicate success: 500 (Internal Server Error)."; }

section "Runner Registration"
call GET "$root/$path/runner-groups" "$token" || die "$FAILURE"
groups="$BODY"
default_pool="$(jq -r '[.runner_groups[]? | select(.default == true)][0].name // empty' <<< "$groups")"
if [ "$(jq '[.runner_groups[]? | select((.is_hosted // false) | not)] | length' <<< "$groups")" -gt 0 ]; then
  pool_name="$(arg_or_default runnergroup "${default_pool:-default}" non_empty)" || exit 1
  say ""
  pool="$(jq -c --arg n "$pool_name" '[.runner_groups[] | select((.is_hosted // false) | not) | select((.name | ascii_downcase) == ($n | ascii_downcase))][0] // empty' <<< "$groups")"
else
  pool_name=""
  pool="$(jq -c '[.runner_groups[]? | select(.default == true)][0] // empty' <<< "$groups")"
fi
[ -z "$pool" ] && [ -z "$pool_name" ] && die "Could not find any self-hosted runner groups. Contact support."
[ -z "$pool" ] && die "Could not find any self-hosted runner group named \"$pool_name\"."
pool_id="$(jq -r .id <<< "$pool")"
pool_name="$(jq -r .name <<< "$pool")"
trace ConfigurationManager INFO "Found a self-hosted runner group with id $pool_id and name $pool_name"

disable_update=false; test_flag disableupdate && disable_update=true
ephemeral=false; test_flag ephemeral && ephemeral=true
machine="$(cat "$CONTROL/machine-name" 2>/dev/null || uname -n)"
machine="${machine%%.*}"
name="$(arg_or_default name "${machine:-myrunner}" non_empty)" || exit 1
say ""
labels_text="$(arg_or_default labels "" valid_labels 1)"
user_labels=()
declare -A seen=()
IFS=, read -ra parts <<< "$labels_text"
for l in "${parts[@]}"; do [ -n "$l" ] && [ -z "${seen[${l,,}]+x}" ] && { seen[${l,,}]=1; user_labels+=("$l"); }; done
if test_flag no-default-labels; then
  [ "${#user_labels[@]}" -eq 0 ] && die "Disabling default labels via --no-default-labels without specifying --labels is not supported"
  labels_json="$(jq -cn '$ARGS.positional | map({id: 0, name: ., type: "user"})' --args -- "${user_labels[@]}")"
else
  labels_json="$(jq -cn '[{id: 0, name: "self-hosted", type: "system"}, {id: 0, name: "Linux", type: "system"}, {id: 0, name: "X64", type: "system"}] + ($ARGS.positional | map({id: 0, name: ., type: "user"}))' --args -- "${user_labels[@]}")"
fi
say ""
call GET "$root/$path/runners?name=$(jq -rn --arg n "$name" '$n | @uri')" "$token" || die "$FAILURE"
existing_id="$(jq -r '.runners[0].id // empty' <<< "$BODY")"
body="$(jq -cn --arg url "$url" --argjson group "$pool_id" --arg name "$name" --arg version "$RUNNER_VERSION" --argjson updates "$disable_update" \
  --argjson ephemeral "$ephemeral" --argjson labels "$labels_json" --arg key "$public_key" \
  '{url: $url, group_id: $group, name: $name, version: $version, updates_disabled: $updates, ephemeral: $ephemeral, labels: $labels, public_key: $key}')"
if [ -n "$existing_id" ]; then
  say "A runner exists with the same name"
  if test_flag replace; then
    call POST "$root/actions/runners/register" "$token" "$(jq -c --argjson id "$existing_id" '. + {runner_id: $id, replace: true}' <<< "$body")" || die "$FAILURE"
    success "Successfully replaced the runner"
  elif [ "$unattended" -eq 1 ]; then
    die "A runner exists with the same name $name."
  else
    die "fake config.sh: the runner would ask whether to replace the runner here (prompts are not modelled: pass --replace)"
  fi
else
  call POST "$root/actions/runners/register" "$token" "$body" || die "$FAILURE"
  success "Runner successfully added"
fi
agent_id="$(jq -r .id <<< "$BODY")"
client_id="$(jq -r '.authorization.client_id' <<< "$BODY")"
authorization_url="$(jq -r '.authorization.authorization_url' <<< "$BODY")"
server_url_v2="$(jq -r '.authorization.server_url // empty' <<< "$BODY")"

# The credentials, then the settings: JSON with a BOM, indented, camelCase, defaults left out.
{ bom; printf '%s' "$(jq -n --arg c "$client_id" --arg a "$authorization_url" '{scheme: "OAuth", data: {clientId: $c, authorizationUrl: $a, requireFipsCryptography: "True"}}')"; } > .credentials
section "Runner settings"
work="$(arg_or_default work "_work" non_empty)" || exit 1
monitor="$(get_arg monitorsocketaddress)"
{ bom; printf '%s' "$(jq -n --argjson id "$agent_id" --arg name "$name" --argjson poolId "$pool_id" --arg poolName "$pool_name" \
  --argjson disableUpdate "$disable_update" --argjson ephemeral "$ephemeral" --arg serverUrl "$tenant_url" --arg gitHubUrl "$url" \
  --arg work "$work" --arg monitor "$monitor" --arg v2 "$server_url_v2" --argjson hosted "$hosted" '
  {agentId: $id, agentName: $name, poolId: $poolId, poolName: $poolName}
  + (if $disableUpdate then {disableUpdate: true} else {} end)
  + (if $ephemeral then {ephemeral: true} else {} end)
  + {serverUrl: $serverUrl, gitHubUrl: $gitHubUrl, workFolder: $work}
  + (if $monitor != "" then {monitorSocketAddress: $monitor} else {} end)
  + {useV2Flow: true, useRunnerAdminFlow: true}
  + (if $v2 != "" then {serverUrlV2: $v2} else {} end)
  + (if $hosted then {} else {isHostedServer: false} end)')"; } > .runner
say ""
success "Settings Saved."
say ""

# SystemDControlManager.GenerateScripts: svc.sh for the unit name the runner computes now.
if [[ "$(url_host "$tenant_url")" == *.githubusercontent.com ]]; then
  owner="$(entity "$url")"; owner="${owner%/actions}"; owner="${owner#orgs/}"; owner="${owner#repos/}"
else
  owner="${tenant_url#*://}"; owner="${owner#*/}"; owner="${owner%%/*}"
fi
owner="$(sed 's/[^0-9a-zA-Z._-]/-/g' <<< "$owner")"
unit="actions.runner.$owner.$name.service"
if [ "${#unit}" -gt 150 ]; then
  exceeded=$(( ${#unit} - 150 + 5 ))
  short_owner="${owner:0:70}"
  exceeded=$(( exceeded - (${#owner} - ${#short_owner}) ))
  short_name="$name"
  [ "$exceeded" -gt 0 ] && short_name="${name:0:$(( ${#name} - exceeded ))}"
  unit="actions.runner.$short_owner.$short_name-$(( RANDOM % 8999 + 1000 )).service"
fi
cat > svc.sh <<SVC
#!/bin/bash
# svc.sh regenerated by the fake config.sh (RunnerTokens.TestKit) at $(date -u '+%Y-%m-%d %H:%M:%SZ'), in place of the
# runner's systemd.svc.sh.template; its install/start/stop/status/uninstall are not modelled.
SVC_NAME="$unit"
SVC_NAME=\${SVC_NAME// /_}
SVC_DESCRIPTION="GitHub Actions Runner ($owner.$name)"
echo "fake svc.sh: '\$1' is not modelled (unit \$SVC_NAME)" >&2
exit 1
SVC
chmod 755 svc.sh
# The HangAfterConfigure knob: the registration is complete (and replaced on GitHub), but config.sh has not exited yet.
[ -f "$CONTROL/hang-after-configure" ] && { echo "registered" > "$CONTROL/configured"; sleep 600; }
exit 0

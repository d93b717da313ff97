namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>config.sh</c> that behaves like the runner's for what RunnerTokens relies on: it refuses <c>remove</c>
/// while <c>.service</c> exists ("Uninstall service first"), refuses to configure a configured runner, refuses root
/// without <c>RUNNER_ALLOW_RUNASROOT</c>, takes the token from <c>ACTIONS_RUNNER_INPUT_TOKEN</c> or <c>--token</c>,
/// deletes and writes the registration files (JSON with BOM, key mode 600), keeps the runner's id with <c>--replace</c>
/// (a fake server of names and ids), rewrites <c>.path</c> and <c>.env</c> as env.sh does, regenerates <c>svc.sh</c>,
/// writes a <c>_diag/Runner_*.log</c> per run, and records every run and the names of its environment variables.
/// Failures are switched on with marker files in <see cref="ControlDirectory"/>.
/// </summary>
public sealed class FakeConfigSh
{
    private const string Script = """
        #!/bin/bash
        # Fake config.sh (RunnerTokens.TestKit): behaves like actions/runner's config.sh where RunnerTokens relies on it.
        set -u
        CONTROL=__CONTROL__
        SEQUENCE=__SEQUENCE__
        ROOT="$(cd "$(dirname "$0")" && pwd)"
        cd "$ROOT" || exit 1

        token="${ACTIONS_RUNNER_INPUT_TOKEN:-}"
        token_env=0; [ -n "$token" ] && token_env=1
        allow_root=0; [ -n "${RUNNER_ALLOW_RUNASROOT:-}" ] && allow_root=1
        { printf '%s\t%s' "$token_env" "$allow_root"; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } >> "$CONTROL/calls.log"
        [ -n "$SEQUENCE" ] && printf 'config.sh %s\n' "$*" >> "$SEQUENCE"

        cmd=configure; [ "${1:-}" = "remove" ] && { cmd=remove; shift; }
        url=""; name=""; group="Default"; work="_work"; labels=""; local_only=0; ephemeral=0; disableupdate=0; replace=0; monitor=""
        while [ $# -gt 0 ]; do
          case "$1" in
            --token) token="$2"; shift ;;
            --url) url="$2"; shift ;;
            --name) name="$2"; shift ;;
            --runnergroup) group="$2"; shift ;;
            --work) work="$2"; shift ;;
            --labels) labels="$2"; shift ;;
            --monitorsocketaddress) monitor="$2"; shift ;;
            --local) local_only=1 ;;
            --ephemeral) ephemeral=1 ;;
            --disableupdate) disableupdate=1 ;;
            --replace) replace=1 ;;
            --unattended|--no-default-labels) ;;
            *) echo "Unrecognized command-line input arguments: '$1'" >&2; exit 1 ;;
          esac
          shift
        done
        printf '%s\t%s\n' "$cmd" "$token" >> "$CONTROL/tokens.log"

        compgen -e | tr '\n' '\t' >> "$CONTROL/env.log"; printf '\n' >> "$CONTROL/env.log"
        uid="$(cat "$CONTROL/uid" 2>/dev/null || id -u)"
        if [ "$uid" -eq 0 ] && [ "$allow_root" -eq 0 ]; then echo "Must not run with sudo"; exit 1; fi

        # As the runner's env.sh, sourced by every config.sh run: .path gets the caller's PATH, .env what it lacks.
        printf '%s\n' "$PATH" > "$ROOT/.path"
        for var in LANG JAVA_HOME ANT_HOME M2_HOME ANDROID_HOME GRADLE_HOME NVM_BIN NVM_PATH LD_LIBRARY_PATH PERL5LIB; do
          if [ -n "${!var:-}" ] && ! grep -q "^$var=" "$ROOT/.env" 2>/dev/null; then printf '%s=%s\n' "$var" "${!var}" >> "$ROOT/.env"; fi
        done
        # As Runner.Listener: every run writes a _diag log of its own, its command parsed near the top.
        stamp="$(date -u +%Y%m%d-%H%M%S%N)"; now="$(date -u '+%Y-%m-%d %H:%M:%S')"
        mkdir -p "$ROOT/_diag"
        printf "[%sZ INFO CommandSettings] Command 'configure': '%s'\n[%sZ INFO CommandSettings] Command 'remove': '%s'\n" \
          "$now" "$([ "$cmd" = configure ] && echo True || echo False)" "$now" "$([ "$cmd" = remove ] && echo True || echo False)" > "$ROOT/_diag/Runner_${stamp}-utc.log"
        mkdir -p "$CONTROL/server"
        [ -f "$CONTROL/echo-token" ] && echo "debug: using token $token"
        [ -f "$CONTROL/hang-$cmd" ] && sleep 600
        if [ -f "$CONTROL/fail-$cmd" ]; then cat "$CONTROL/fail-$cmd" >&2; exit 1; fi

        bom() { printf '\xEF\xBB\xBF'; }
        if [ "$cmd" = remove ]; then
          if [ -f "$ROOT/.service" ]; then echo "Uninstall service first"; exit 1; fi
          if [ ! -f "$ROOT/.runner" ]; then echo "The runner is not configured. Nothing to remove."; exit 0; fi
          if [ "$local_only" -eq 0 ]; then
            if [ -z "$token" ]; then echo "Failed: a remove token is required (--token or ACTIONS_RUNNER_INPUT_TOKEN)" >&2; exit 1; fi
            if [ -f "$CONTROL/fail-remove-server" ]; then cat "$CONTROL/fail-remove-server" >&2; exit 1; fi
            old_name="$(sed -n 's/.*"agentName": *"\([^"]*\)".*/\1/p' "$ROOT/.runner")"
            [ -n "$old_name" ] && rm -f "$CONTROL/server/$old_name"
          fi
          if [ -f "$CONTROL/partial-remove" ]; then rm -f "$ROOT/.credentials"; echo "Failed to remove .runner: I/O error" >&2; exit 1; fi
          rm -f "$ROOT/.runner" "$ROOT/.credentials" "$ROOT/.credentials_rsaparams"
          [ -f "$CONTROL/keep-migrated" ] || rm -f "$ROOT/.runner_migrated" "$ROOT/.credentials_migrated"
          echo "# Runner removal"
          echo "√ Runner removed successfully"
          echo "√ Removed .credentials"
          echo "√ Removed .runner"
          exit 0
        fi

        if [ -f "$ROOT/.runner" ]; then
          echo "Cannot configure the runner because it is already configured. To reconfigure the runner, run 'config.sh remove' or './config.sh remove --token <token>' first."
          exit 1
        fi
        if [ -z "$url" ] || [ -z "$name" ]; then echo "--url and --name are required in unattended mode" >&2; exit 1; fi
        if [ -z "$token" ]; then echo "Failed: a registration token is required (--token or ACTIONS_RUNNER_INPUT_TOKEN)" >&2; exit 1; fi
        (umask 077; printf '{"d":"fake","dp":"fake","dq":"fake","exponent":"AQAB","inverseQ":"fake","modulus":"fake","p":"fake","q":"fake"}' > "$ROOT/.credentials_rsaparams")
        if [ -f "$CONTROL/partial-configure" ]; then echo "Http response code: InternalServerError from 'POST https://api.github.com/actions/runner-registration'" >&2; exit 1; fi
        if [ -f "$CONTROL/configure-without-runner" ]; then printf '{}' > "$ROOT/.credentials"; echo "√ Settings Saved."; exit 0; fi
        # As GitHub: --replace matches by name and keeps the id; another name is a new runner with a new id.
        if [ -f "$CONTROL/server/$name" ]; then
          if [ "$replace" -eq 0 ]; then echo "A runner exists with the same name $name." >&2; exit 1; fi
          id="$(cat "$CONTROL/server/$name")"
        else
          id="$(cat "$CONTROL/next-agent-id" 2>/dev/null || echo 100)"
          echo $((id + 1)) > "$CONTROL/next-agent-id"
          echo "$id" > "$CONTROL/server/$name"
        fi
        { bom; printf '{\n  "scheme": "OAuth",\n  "data": {\n    "clientId": "00000000-0000-4000-8000-%012d",\n    "authorizationUrl": "https://pipelines.actions.githubusercontent.com/fake/_apis/oauth2/token",\n    "requireFipsCryptography": "False"\n  }\n}' "$id"; } > "$ROOT/.credentials"
        extra=""
        [ "$ephemeral" -eq 1 ] && extra="$extra,\n  \"ephemeral\": true"
        [ "$disableupdate" -eq 1 ] && extra="$extra,\n  \"disableUpdate\": true"
        [ -n "$monitor" ] && extra="$extra,\n  \"monitorSocketAddress\": \"$monitor\""
        { bom; printf "{\n  \"agentId\": %s,\n  \"agentName\": \"%s\",\n  \"poolId\": 1,\n  \"poolName\": \"%s\",\n  \"serverUrl\": \"https://pipelines.actions.githubusercontent.com/fake/\",\n  \"gitHubUrl\": \"%s\",\n  \"workFolder\": \"%s\"$extra\n}" "$id" "$name" "$group" "$url" "$work"; } > "$ROOT/.runner"
        printf '#!/bin/bash\n# generated by config.sh for %s\nSVC_NAME="actions.runner.fake.%s.service"\n' "$name" "$name" > "$ROOT/svc.sh"; chmod 755 "$ROOT/svc.sh"
        echo "√ Connected to GitHub"
        echo "√ Runner successfully added"
        echo "√ Runner connection is good"
        echo "√ Settings Saved."
        exit 0
        """;

    internal FakeConfigSh(string scriptPath, string controlDirectory, string? sequenceLog)
    {
        ScriptPath = scriptPath;
        ControlDirectory = controlDirectory;
        Directory.CreateDirectory(controlDirectory);
        ExecutableScript.Write(scriptPath, Script
            .Replace("__CONTROL__", ExecutableScript.Quote(controlDirectory), StringComparison.Ordinal)
            .Replace("__SEQUENCE__", ExecutableScript.Quote(sequenceLog ?? string.Empty), StringComparison.Ordinal));
    }

    /// <summary>Gets the script, <c>config.sh</c> in the runner directory.</summary>
    public string ScriptPath { get; }

    /// <summary>Gets the folder with the fake's records and failure markers (outside the runner directory).</summary>
    public string ControlDirectory { get; }

    /// <summary>Gets every run so far, in order.</summary>
    public IReadOnlyList<ConfigShCall> Calls
    {
        get
        {
            var tokens = ExecutableScript.ReadLines(Path.Combine(ControlDirectory, "tokens.log")).Select(l => l.Split('\t')).ToList();
            return ExecutableScript.ReadLines(Path.Combine(ControlDirectory, "calls.log"))
                .Select((line, i) =>
                {
                    var parts = line.Split('\t');
                    var token = i < tokens.Count && tokens[i].Length > 1 ? tokens[i][1] : string.Empty;
                    return new ConfigShCall(parts.Skip(2).ToList(), parts[0] == "1", parts[1] == "1", token);
                })
                .ToList();
        }
    }

    /// <summary>Gets, for every run so far, the names of the environment variables it saw.</summary>
    public IReadOnlyList<IReadOnlyList<string>> EnvironmentNames =>
        ExecutableScript.ReadLines(Path.Combine(ControlDirectory, "env.log"))
            .Select(line => (IReadOnlyList<string>)line.Split('\t', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

    /// <summary>Gets the runners the fake server knows, by name, with their ids: configure adds (or with <c>--replace</c> keeps) one, a server-side remove deletes one.</summary>
    public IReadOnlyDictionary<string, int> ServerRunners =>
        Directory.Exists(Path.Combine(ControlDirectory, "server"))
            ? Directory.EnumerateFiles(Path.Combine(ControlDirectory, "server")).ToDictionary(
                f => Path.GetFileName(f), f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
            : new Dictionary<string, int>();

    /// <summary>Makes the fake server know a runner <paramref name="name"/> with <paramref name="id"/>.</summary>
    public void AddServerRunner(string name, int id)
    {
        Directory.CreateDirectory(Path.Combine(ControlDirectory, "server"));
        File.WriteAllText(Path.Combine(ControlDirectory, "server", name), id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Gets the raw record of argv and environment flags, for "no token anywhere" assertions.</summary>
    public string RawRecord => File.Exists(Path.Combine(ControlDirectory, "calls.log")) ? File.ReadAllText(Path.Combine(ControlDirectory, "calls.log")) : string.Empty;

    /// <summary>Makes <paramref name="command"/> (<c>remove</c> or <c>configure</c>) fail at once with <paramref name="message"/> on stderr, exit 1.</summary>
    public void Fail(string command, string message) => Mark($"fail-{command}", message);

    /// <summary>Makes <c>remove</c> with a token fail as the server would refuse it; <c>remove --local</c> still works.</summary>
    public void FailServerRemove(string message) => Mark("fail-remove-server", message);

    /// <summary>Makes <c>remove</c> delete <c>.credentials</c> only, then fail: a half-removed runner.</summary>
    public void FailRemovePartway() => Mark("partial-remove", string.Empty);

    /// <summary>Makes configure write the new key, then fail: a half-written registration.</summary>
    public void FailConfigurePartway() => Mark("partial-configure", string.Empty);

    /// <summary>Makes configure write the key and <c>.credentials</c> but no <c>.runner</c>, and still exit 0.</summary>
    public void SucceedWithoutRunnerFile() => Mark("configure-without-runner", string.Empty);

    /// <summary>Makes <paramref name="command"/> hang for ten minutes (until killed).</summary>
    public void Hang(string command) => Mark($"hang-{command}", string.Empty);

    /// <summary>Makes <c>remove</c> leave <c>.runner_migrated</c> and <c>.credentials_migrated</c>, as a runner version that does not know them.</summary>
    public void KeepMigratedOnRemove() => Mark("keep-migrated", string.Empty);

    /// <summary>Makes the fake print the token it got, as a careless tool might, to test masking.</summary>
    public void EchoToken() => Mark("echo-token", string.Empty);

    /// <summary>Makes the fake believe it runs as <paramref name="uid"/> (0: root, refused without RUNNER_ALLOW_RUNASROOT).</summary>
    public void PretendUid(int uid) => Mark("uid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Removes every failure marker.</summary>
    public void Heal()
    {
        foreach (var marker in new[] { "fail-remove", "fail-configure", "fail-remove-server", "partial-remove", "partial-configure", "hang-remove", "hang-configure", "echo-token", "uid", "keep-migrated", "configure-without-runner" })
        {
            File.Delete(Path.Combine(ControlDirectory, marker));
        }
    }

    private void Mark(string name, string content) => File.WriteAllText(Path.Combine(ControlDirectory, name), content);
}

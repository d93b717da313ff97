namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>config.sh</c> that behaves like the runner's for what RunnerTokens relies on: it refuses <c>remove</c>
/// while <c>.service</c> exists ("Uninstall service first"), refuses to configure a configured runner, refuses root
/// without <c>RUNNER_ALLOW_RUNASROOT</c>, takes the token from <c>ACTIONS_RUNNER_INPUT_TOKEN</c> or <c>--token</c>,
/// deletes and writes the registration files (JSON with BOM, key mode 600), and records every run.
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
        url=""; name=""; group="Default"; work="_work"; labels=""; local_only=0; ephemeral=0; disableupdate=0
        while [ $# -gt 0 ]; do
          case "$1" in
            --token) token="$2"; shift ;;
            --url) url="$2"; shift ;;
            --name) name="$2"; shift ;;
            --runnergroup) group="$2"; shift ;;
            --work) work="$2"; shift ;;
            --labels) labels="$2"; shift ;;
            --local) local_only=1 ;;
            --ephemeral) ephemeral=1 ;;
            --disableupdate) disableupdate=1 ;;
            --unattended|--replace|--no-default-labels) ;;
            *) echo "Unrecognized command-line input arguments: '$1'" >&2; exit 1 ;;
          esac
          shift
        done
        printf '%s\t%s\n' "$cmd" "$token" >> "$CONTROL/tokens.log"

        uid="$(cat "$CONTROL/uid" 2>/dev/null || id -u)"
        if [ "$uid" -eq 0 ] && [ "$allow_root" -eq 0 ]; then echo "Must not run with sudo"; exit 1; fi
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
        id="$(cat "$CONTROL/next-agent-id" 2>/dev/null || echo 100)"
        echo $((id + 1)) > "$CONTROL/next-agent-id"
        { bom; printf '{\n  "scheme": "OAuth",\n  "data": {\n    "clientId": "00000000-0000-4000-8000-%012d",\n    "authorizationUrl": "https://pipelines.actions.githubusercontent.com/fake/_apis/oauth2/token",\n    "requireFipsCryptography": "False"\n  }\n}' "$id"; } > "$ROOT/.credentials"
        extra=""
        [ "$ephemeral" -eq 1 ] && extra="$extra,\n  \"ephemeral\": true"
        [ "$disableupdate" -eq 1 ] && extra="$extra,\n  \"disableUpdate\": true"
        { bom; printf "{\n  \"agentId\": %s,\n  \"agentName\": \"%s\",\n  \"poolId\": 1,\n  \"poolName\": \"%s\",\n  \"serverUrl\": \"https://pipelines.actions.githubusercontent.com/fake/\",\n  \"gitHubUrl\": \"%s\",\n  \"workFolder\": \"%s\"$extra\n}" "$id" "$name" "$group" "$url" "$work"; } > "$ROOT/.runner"
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
        foreach (var marker in new[] { "fail-remove", "fail-configure", "fail-remove-server", "partial-remove", "partial-configure", "hang-remove", "hang-configure", "echo-token", "uid", "keep-migrated" })
        {
            File.Delete(Path.Combine(ControlDirectory, marker));
        }
    }

    private void Mark(string name, string content) => File.WriteAllText(Path.Combine(ControlDirectory, name), content);
}

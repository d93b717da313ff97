using System.Text.Json;

namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>config.sh</c> that behaves like the runner's (actions/runner 2.336.0; <c>Runner/Scripts/config.sh</c>):
/// it refuses root unless <c>RUNNER_ALLOW_RUNASROOT</c> is non-empty, does what <c>env.sh</c> does (rewrites
/// <c>.path</c>, appends variables to <c>.env</c>), writes its own <c>_diag/Runner_*.log</c>, takes every option from
/// argv or <c>ACTIONS_RUNNER_INPUT_*</c>, and registers or removes the runner by HTTP against the fake GitHub API
/// (<see cref="UseApi"/>) as the v2 flow does: registration, runner group, name lookup, add or <c>--replace</c>
/// (keeping the id), <c>DELETE</c> on remove. It writes <c>.runner</c> and <c>.credentials</c> (JSON with BOM), reuses
/// an existing key (mode 600), regenerates <c>svc.sh</c>, treats <c>.runner_migrated</c> as configured, and refuses
/// <c>remove</c> while <c>.service</c> exists ("Uninstall service first"). It records every run; failures are switched
/// on with marker files in <see cref="ControlDirectory"/>.
/// </summary>
public sealed class FakeConfigSh
{
    private static readonly string[] _markers =
        ["fail-remove", "fail-configure", "fail-remove-server", "partial-remove", "partial-configure", "hang-remove", "hang-configure", "hang-after-configure", "echo-token", "uid", "keep-migrated"];

    internal FakeConfigSh(string scriptPath, string controlDirectory, string? sequenceLog)
    {
        ScriptPath = scriptPath;
        ControlDirectory = controlDirectory;
        Directory.CreateDirectory(controlDirectory);
        ExecutableScript.Write(scriptPath, ExecutableScript.Load("config.sh")
            .Replace("__CONTROL__", ExecutableScript.Quote(controlDirectory), StringComparison.Ordinal)
            .Replace("__SEQUENCE__", ExecutableScript.Quote(sequenceLog ?? string.Empty), StringComparison.Ordinal));
    }

    /// <summary>Gets the script, <c>config.sh</c> in the runner directory.</summary>
    public string ScriptPath { get; }

    /// <summary>Gets the folder with the fake's records and failure markers (outside the runner directory).</summary>
    public string ControlDirectory { get; }

    /// <summary>Gets the API root the fake calls (github.com layout; <c>/api/v3</c> is added for a GHES runner URL), or null.</summary>
    public Uri? ApiUrl => File.Exists(Control("api-url")) ? new Uri(File.ReadAllText(Control("api-url")).Trim()) : null;

    /// <summary>Gets every run so far, in order.</summary>
    public IReadOnlyList<ConfigShCall> Calls
    {
        get
        {
            var tokens = ExecutableScript.ReadLines(Control("tokens.log")).Select(l => l.Split('\t')).ToList();
            return ExecutableScript.ReadLines(Control("calls.jsonl"))
                .Select((line, i) =>
                {
                    using var document = JsonDocument.Parse(line);
                    var root = document.RootElement;
                    var allow = root.GetProperty("allowRunAsRoot");
                    var token = i < tokens.Count && tokens[i].Length > 1 ? tokens[i][1] : string.Empty;
                    return new ConfigShCall(
                        [.. root.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!)],
                        root.GetProperty("tokenFromEnvironment").GetBoolean(),
                        allow.ValueKind == JsonValueKind.String && allow.GetString()!.Length > 0,
                        token)
                    {
                        AllowRunAsRootValue = allow.ValueKind == JsonValueKind.String ? allow.GetString() : null,
                        EnvironmentNames = [.. root.GetProperty("environment").EnumerateArray().Select(a => a.GetString()!)],
                    };
                })
                .ToList();
        }
    }

    /// <summary>Gets the raw record of argv and environment facts (variable names only, no token), for "no token anywhere" assertions.</summary>
    public string RawRecord => File.Exists(Control("calls.jsonl")) ? File.ReadAllText(Control("calls.jsonl")) : string.Empty;

    /// <summary>Points the fake at a fake GitHub API root (<c>http://127.0.0.1:PORT/</c>); without one, any server call fails loudly.</summary>
    public void UseApi(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        File.WriteAllText(Control("api-url"), apiUrl.ToString());
    }

    /// <summary>Sets the host name the fake sees (<c>build1.example.com</c>); without <c>--name</c> the runner is named after it, cut at the first dot.</summary>
    public void SetMachineName(string machineName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machineName);
        File.WriteAllText(Control("machine-name"), machineName);
    }

    /// <summary>Makes <paramref name="command"/> (<c>remove</c> or <c>configure</c>) fail at once, before any server call, with <paramref name="message"/> on stderr, exit 1.</summary>
    public void Fail(string command, string message) => Mark($"fail-{command}", message);

    /// <summary>Makes <c>remove</c> with a token fail as the server would refuse it, without calling it; <c>remove --local</c> still works.</summary>
    public void FailServerRemove(string message) => Mark("fail-remove-server", message);

    /// <summary>Makes every <c>remove</c> (after the server call, if any; <c>--local</c> too) delete <c>.credentials</c> only, then fail with an I/O error: a half-removed runner.</summary>
    public void FailRemovePartway() => Mark("partial-remove", string.Empty);

    /// <summary>Makes configure write (or reuse) the key after GitHub accepted the token, then fail with a 500 before registering: a half-written registration.</summary>
    public void FailConfigurePartway() => Mark("partial-configure", string.Empty);

    /// <summary>Makes <paramref name="command"/> hang for ten minutes (until killed), before any server call.</summary>
    public void Hang(string command) => Mark($"hang-{command}", string.Empty);

    /// <summary>
    /// Gets whether a <paramref name="command"/> made to hang (<see cref="Hang"/>) has begun hanging: only then does
    /// <see cref="Heal"/> leave it hanging; healed before, the command runs on.
    /// </summary>
    public bool Hanging(string command) => File.Exists(Control($"hanging-{command}"));

    /// <summary>Makes configure hang for ten minutes (until killed) after it wrote a complete registration and GitHub replaced the runner: a late SIGTERM or a timeout.</summary>
    public void HangAfterConfigure() => Mark("hang-after-configure", string.Empty);

    /// <summary>Gets whether a configure made to hang after registering (<see cref="HangAfterConfigure"/>) has registered.</summary>
    public bool Configured => File.Exists(Control("configured"));

    /// <summary>Makes <c>remove</c> leave <c>.runner_migrated</c> and <c>.credentials_migrated</c>, as a runner version that does not know them.</summary>
    public void KeepMigratedOnRemove() => Mark("keep-migrated", string.Empty);

    /// <summary>Makes the fake print the token it got, as a careless tool might, to test masking.</summary>
    public void EchoToken() => Mark("echo-token", string.Empty);

    /// <summary>Makes the fake believe it runs as <paramref name="uid"/> (0: root, refused unless RUNNER_ALLOW_RUNASROOT is non-empty).</summary>
    public void PretendUid(int uid) => Mark("uid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Removes every failure marker (the API and the machine name stay).</summary>
    public void Heal()
    {
        foreach (var marker in _markers)
        {
            File.Delete(Control(marker));
        }
    }

    private string Control(string name) => Path.Combine(ControlDirectory, name);

    private void Mark(string name, string content) => File.WriteAllText(Control(name), content);
}

using System.Diagnostics;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// What the fault matrix's tests share: the catalog's cases for one test method, the run as an operator makes it
/// (only <c>--runner-dir</c> and <c>--api-url</c>, the env file's variables, settings in a <c>--config</c> file), and
/// the end state a user would notice (registration, unit, metrics, exit code, message, no token anywhere).
/// </summary>
internal static class FaultScenario
{
    public const string Unit = "actions.runner.my-org.runner-1.service";

    private static readonly TimeSpan _waitLimit = TimeSpan.FromSeconds(30);

    /// <summary>The ids of the catalog rows whose test is <paramref name="test"/>, as a theory's cases.</summary>
    public static TheoryData<string> Cases(string test)
    {
        var data = new TheoryData<string>();
        foreach (var row in FaultCatalog.Rows.Where(r => r.Test == test))
        {
            data.Add(row.Id);
        }

        return data;
    }

    /// <summary>The env file's variables, with few attempts in all (the retry budget is no part of these cases).</summary>
    public static Dictionary<string, string?> Environment(EndToEnd e2e, int attempts = 2, params (string Name, string? Value)[] changes)
    {
        var environment = e2e.Environment;
        environment["MAX_RETRY_ATTEMPTS"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in changes)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Writes a <c>--config</c> file with <paramref name="json"/> and returns the arguments that pass it.</summary>
    public static string[] Config(EndToEnd e2e, string json)
    {
        var path = Path.Combine(e2e.Machine.RootPath, "settings.json");
        File.WriteAllText(path, json);
        return ["--config", path];
    }

    /// <summary>One <c>--check-and-refresh</c>, as a timer or cron runs it.</summary>
    public static Task<BufferedCommandResult> RunAsync(EndToEnd e2e, IReadOnlyDictionary<string, string?> environment, params string[] extra) =>
        HostProcess.RunAsync(e2e.Arguments(["--check-and-refresh", .. extra]), environment);

    /// <summary>Starts one <c>--check-and-refresh</c> to signal while it runs.</summary>
    public static RunningProcess Start(EndToEnd e2e, IReadOnlyDictionary<string, string?> environment, params string[] extra) =>
        RunningProcess.Start(HostProcess.Command(e2e.Arguments(["--check-and-refresh", .. extra]), environment));

    /// <summary>Everything the run printed and logged.</summary>
    public static string Said(EndToEnd e2e, BufferedCommandResult result) =>
        result.StandardOutput + result.StandardError + (File.Exists(e2e.LogFile) ? File.ReadAllText(e2e.LogFile) : string.Empty);

    /// <summary>The exit code, with what the run said when it is not the one expected.</summary>
    public static void AssertExit(int expected, BufferedCommandResult result) =>
        Assert.True(result.ExitCode == expected, $"exit {result.ExitCode}, expected {expected}:\n{result.StandardOutput}{result.StandardError}");

    /// <summary>The message names the key fact.</summary>
    public static void AssertSays(string text, string said) =>
        Assert.True(said.Contains(text, StringComparison.OrdinalIgnoreCase), $"'{text}' is not in:\n{said}");

    /// <summary>The runner is registered as before, byte for byte, and its unit runs.</summary>
    public static void AssertAsBefore(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());
        Assert.Equal(42, e2e.Machine.RegisteredRunner?.Id);
        Assert.Equal(e2e.Machine.Runner.ReadKeyModulus(), e2e.Machine.RegisteredRunner?.PublicKeyModulus);
        Assert.True(e2e.Machine.Systemctl.IsActive(Unit), "the runner's unit is not running");
        Assert.False(File.Exists(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "systemd-journal.json")), "a journal is left");
    }

    /// <summary>The runner is registered anew under its id (a new key that GitHub knows, as config.sh recorded), and its unit runs.</summary>
    public static void AssertRegisteredAnew(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, bool running = true)
    {
        var now = e2e.Machine.Runner.Snapshot();
        Assert.True(now.ContainsKey(".runner") && now.ContainsKey(".credentials") && now.ContainsKey(".service"), "registration files missing");
        Assert.NotEqual(before[".credentials_rsaparams"], now[".credentials_rsaparams"]);
        Assert.Equal("42", e2e.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal(42, Assert.Single(e2e.Api.RunnersIn(e2e.Machine.ScopePath)).Id);
        Assert.Equal(e2e.Machine.Runner.ReadKeyModulus(), e2e.Machine.RegisteredRunner?.PublicKeyModulus);
        Assert.Contains(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure" && c.ValueOf("--name") == "runner-1" && c.Arguments.Contains("--replace"));
        Assert.Equal(running, e2e.Machine.Systemctl.IsActive(Unit));

        // A unit that could not be started again may leave the journal, for the next check to start it.
        Assert.False(running && File.Exists(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "systemd-journal.json")), "a journal is left");
    }

    /// <summary>The runner is registered and listening, whether anew or as before.</summary>
    public static void AssertRegisteredAndRunning(EndToEnd e2e)
    {
        Assert.Equal("42", e2e.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.True(File.Exists(e2e.Machine.Runner.File(".credentials")), ".credentials missing");
        Assert.True(File.Exists(e2e.Machine.Runner.ServiceFile), ".service missing");
        Assert.Equal(42, Assert.Single(e2e.Api.RunnersIn(e2e.Machine.ScopePath)).Id);
        Assert.Equal(e2e.Machine.Runner.ReadKeyModulus(), e2e.Machine.RegisteredRunner?.PublicKeyModulus);
        Assert.True(e2e.Machine.Systemctl.IsActive(Unit), "the runner's unit is not running");
        Assert.Contains("Listening for Jobs", File.ReadAllText(e2e.Machine.Runner.DiagLogs.Last(l => File.ReadAllText(l).Contains("Listener", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "systemd-journal.json")), "a journal is left");
    }

    /// <summary>The metrics file's counters.</summary>
    /// <summary>Runs once with <paramref name="settings"/>: the fault is survived, the runner registered anew and listening, exit 0.</summary>
    public static async Task RefreshesAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings)
    {
        var result = await RunAsync(e2e, Environment(e2e), settings);

        AssertExit(0, result);
        AssertRegisteredAnew(e2e, before);
        AssertRegisteredAndRunning(e2e);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    public static void AssertMetrics(EndToEnd e2e, long refreshes, long failures, int consecutive)
    {
        var metrics = e2e.Metrics();
        Assert.Equal(refreshes, metrics.GetProperty("total_refreshes").GetInt64());
        Assert.Equal(failures, metrics.GetProperty("failed_refreshes").GetInt64());
        Assert.Equal(consecutive, metrics.GetProperty("consecutive_failures").GetInt32());
    }

    /// <summary>Nothing was stopped, removed or configured.</summary>
    public static void AssertRunnerUntouched(EndToEnd e2e) =>
        Assert.DoesNotContain(e2e.Machine.Sequence, l => l.StartsWith("systemctl stop", StringComparison.Ordinal) || l.StartsWith("config.sh", StringComparison.Ordinal));

    /// <summary>Waits, with a deadline, until <paramref name="condition"/> holds while <paramref name="process"/> runs.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, RunningProcess process, string what) =>
        Assert.True(await Poll.UntilAsync(condition, _waitLimit), $"never {what}. Output:\n{process.Output}");

    /// <summary>Whether the machine's sequence has a call starting with <paramref name="prefix"/>.</summary>
    public static bool Reached(EndToEnd e2e, string prefix) =>
        e2e.Machine.Sequence.Any(l => l.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Every process below <paramref name="pid"/> (children first found, then theirs), read from /proc.</summary>
    public static List<int> Descendants(int pid)
    {
        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0)
        {
            var parent = queue.Dequeue();
            var file = $"/proc/{parent}/task/{parent}/children";
            if (!File.Exists(file))
            {
                continue;
            }

            string children;
            try
            {
                children = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>Kills the given processes (ones this test started), ignoring those already gone.</summary>
    public static void Kill(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}

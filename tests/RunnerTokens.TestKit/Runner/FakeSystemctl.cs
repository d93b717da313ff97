using System.Diagnostics;
using System.Globalization;

namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A bash <c>systemctl</c> (<c>Runner/Scripts/systemctl.sh</c>) that records its calls and keeps each unit's state:
/// <c>stop</c>, <c>start</c>, <c>is-active</c> (prints the state; exit 0 only when active), system units and
/// <c>--user</c> units apart. A unit must be installed first (<see cref="Install"/>), or start and stop fail as for a
/// unit that does not exist. A unit installed with its runner directory emulates the listener on <c>start</c>: it
/// writes a new <c>_diag/Runner_*.log</c> and, when <c>.runner</c> and <c>.credentials</c> exist and the fake GitHub
/// API (<see cref="UseApi"/>) still lists the runner's <c>agentId</c> with the runner's key, logs
/// <c>WRITE LINE: &lt;time&gt;: Listening for Jobs</c>; otherwise it logs the listener's error ("The runner registration
/// has been deleted from the server, please re-configure.") and the unit goes <c>inactive</c> (dead, not failed)
/// shortly after, as a real unit has no <c>Restart=</c>. Failures and delays are switched on with marker files.
/// </summary>
public sealed class FakeSystemctl
{
    /// <summary>How long a unit whose listener was refused stays active before it goes inactive.</summary>
    public static readonly TimeSpan ListenerExitDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan _settleLimit = TimeSpan.FromSeconds(60);

    private FakeSystemctl(string binDirectory, string stateDirectory, string? sequenceLog)
    {
        BinDirectory = binDirectory;
        StateDirectory = stateDirectory;
        Directory.CreateDirectory(binDirectory);
        Directory.CreateDirectory(stateDirectory);
        Directory.CreateDirectory(System.IO.Path.Combine(stateDirectory, "config"));
        Path = System.IO.Path.Combine(binDirectory, "systemctl");
        ExecutableScript.Write(Path, ExecutableScript.Load("systemctl.sh")
            .Replace("__STATE__", ExecutableScript.Quote(stateDirectory), StringComparison.Ordinal)
            .Replace("__SEQUENCE__", ExecutableScript.Quote(sequenceLog ?? string.Empty), StringComparison.Ordinal));
    }

    /// <summary>Gets the folder holding the script, to put first on a child process's PATH.</summary>
    public string BinDirectory { get; }

    /// <summary>Gets the script's path.</summary>
    public string Path { get; }

    /// <summary>Gets the folder with the fake's records, unit states and failure markers.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets every call so far, as its arguments joined by spaces (<c>--user stop x.service</c>).</summary>
    public IReadOnlyList<string> Calls => ExecutableScript.ReadLines(System.IO.Path.Combine(StateDirectory, "calls.log"));

    /// <summary>Gets the environment of every call so far (<c>NAME=value</c> lines, calls apart by <c>--</c>), for "no secret reaches systemctl" assertions.</summary>
    public string EnvironmentRecord =>
        File.Exists(System.IO.Path.Combine(StateDirectory, "environment.log")) ? File.ReadAllText(System.IO.Path.Combine(StateDirectory, "environment.log")) : string.Empty;

    /// <summary>Writes a fake <c>systemctl</c> into <paramref name="binDirectory"/>, keeping its state in <paramref name="stateDirectory"/>.</summary>
    /// <param name="binDirectory">Where the script goes.</param>
    /// <param name="stateDirectory">Where its records, unit states and markers go.</param>
    /// <param name="sequenceLog">A file shared with other fakes, to which each call is appended as <c>systemctl ARGS</c>; null for none.</param>
    /// <returns>The fake.</returns>
    public static FakeSystemctl Create(string binDirectory, string stateDirectory, string? sequenceLog = null) => new(binDirectory, stateDirectory, sequenceLog);

    /// <summary>Points the emulated listeners at a fake GitHub API root (<c>http://127.0.0.1:PORT/</c>).</summary>
    public void UseApi(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        File.WriteAllText(System.IO.Path.Combine(StateDirectory, "config", "api-url"), apiUrl.ToString());
    }

    /// <summary>
    /// Installs <paramref name="unit"/>, running or not, as it is now (no listener is started, nothing is logged); with
    /// <paramref name="runnerDirectory"/>, a later <c>start</c> emulates that runner's listener. Installing again keeps
    /// the runner directory unless a new one is given, and voids any transition in progress.
    /// </summary>
    public void Install(string unit, bool active = true, bool user = false, string? runnerDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        File.WriteAllText(UnitFile(unit, user), active ? "active\n" : "inactive\n");
        var meta = MetaFile(unit, user, ".gen");
        var generation = File.Exists(meta) && int.TryParse(File.ReadAllText(meta).Trim(), CultureInfo.InvariantCulture, out var g) ? g : 0;
        File.WriteAllText(meta, (generation + 1).ToString(CultureInfo.InvariantCulture) + "\n");
        File.Delete(MetaFile(unit, user, ".pending"));
        if (runnerDirectory is not null)
        {
            File.WriteAllText(MetaFile(unit, user, ".dir"), runnerDirectory);
        }
    }

    /// <summary>
    /// Gets whether <paramref name="unit"/> is active once any transition in progress (a stop that takes time, a
    /// listener about to exit) has ended, so that a test sees where the unit settles, not a moment of it.
    /// </summary>
    public bool IsActive(string unit, bool user = false)
    {
        WaitUntilSettled(unit, user);
        return State(unit, user) == "active";
    }

    /// <summary>Gets the unit's state right now, as <c>systemctl is-active</c> prints it (<c>active</c>, <c>deactivating</c>, <c>inactive</c>, <c>failed</c>).</summary>
    public string State(string unit, bool user = false) =>
        File.Exists(UnitFile(unit, user)) ? File.ReadAllText(UnitFile(unit, user)).Trim() : "inactive";

    /// <summary>Makes <paramref name="verb"/> fail with <paramref name="message"/> on stderr, exit 1; always or once.</summary>
    public void Fail(string verb, string message, bool once = false) =>
        File.WriteAllText(Marker(once ? $"fail-{verb}-once" : $"fail-{verb}"), message);

    /// <summary>Makes <c>stop</c> succeed without the unit ever becoming inactive.</summary>
    public void StayActiveOnStop() => File.WriteAllText(Marker("stay-active"), string.Empty);

    /// <summary>Makes <c>stop</c> of an active unit return at once with the unit <c>deactivating</c> for <paramref name="duration"/>, then <c>inactive</c>.</summary>
    public void StopTakes(TimeSpan duration) => File.WriteAllText(Marker("stop-delay"), Seconds(duration));

    /// <summary>Makes <c>start</c> succeed but leave the unit failed (its process exits at once).</summary>
    public void FailAfterStart() => File.WriteAllText(Marker("start-fails"), string.Empty);

    /// <summary>
    /// Makes a listener that started listening log <paramref name="message"/> as an error
    /// (<c>[time ERR  Terminal] WRITE ERROR: message</c>) <paramref name="after"/> the start, and its unit go inactive.
    /// </summary>
    public void FailListenerAfter(TimeSpan after, string message) =>
        File.WriteAllText(Marker("listener-fail"), Seconds(after) + "\n" + message);

    /// <summary>
    /// Makes a started listener fail to create its session before it listens: it logs <paramref name="message"/> as an
    /// error, and its unit goes inactive (dead) shortly after, as the real listener does for an OAuth refusal.
    /// </summary>
    public void RefuseSession(string message) => File.WriteAllText(Marker("session-refused"), message);

    /// <summary>
    /// Makes a started listener that may connect take <paramref name="duration"/> to create its session: the unit is
    /// active at once, and <c>Listening for Jobs</c> is logged only after <paramref name="duration"/>, unless the unit
    /// was stopped or started again meanwhile.
    /// </summary>
    public void ListenerTakes(TimeSpan duration) => File.WriteAllText(Marker("listen-delay"), Seconds(duration));

    /// <summary>Makes <paramref name="verb"/> hang for ten minutes (until killed).</summary>
    public void Hang(string verb) => File.WriteAllText(Marker($"hang-{verb}"), string.Empty);

    /// <summary>Removes every failure marker and delay.</summary>
    public void Heal()
    {
        foreach (var file in Directory.EnumerateFiles(StateDirectory).Where(f => !f.EndsWith("calls.log", StringComparison.Ordinal) && !f.EndsWith("environment.log", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private void WaitUntilSettled(string unit, bool user)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < _settleLimit && Pending(unit, user))
        {
            Thread.Sleep(25);
        }
    }

    private bool Pending(string unit, bool user)
    {
        try
        {
            var pending = MetaFile(unit, user, ".pending");
            return File.Exists(pending) && File.ReadAllText(pending).Trim() == File.ReadAllText(MetaFile(unit, user, ".gen")).Trim();
        }
        catch (IOException)
        {
            // Removed or rewritten while read: look again.
            return true;
        }
    }

    private string Marker(string name) => System.IO.Path.Combine(StateDirectory, name);

    private string UnitFile(string unit, bool user)
    {
        var folder = System.IO.Path.Combine(StateDirectory, user ? "user" : "system");
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, unit);
    }

    private string MetaFile(string unit, bool user, string suffix)
    {
        var folder = System.IO.Path.Combine(StateDirectory, "meta", user ? "user" : "system");
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, unit + suffix);
    }
}

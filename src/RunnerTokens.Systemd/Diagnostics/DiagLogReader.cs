using System.Globalization;
using System.IO.Abstractions;
using System.Text;

namespace RunnerTokens.Systemd;

/// <summary>
/// Reads the runner's <c>_diag/Runner_*.log</c> files: what the listener's latest word is (listening, or one of its
/// terminal exits), for the listener-log expiry source and for the wait after a start. Reads only the ends of files,
/// so every check stays cheap, and passes over the logs of <c>config.sh</c> runs, which write <c>Runner_*.log</c> too.
/// </summary>
internal sealed class DiagLogReader(IFileSystem fileSystem)
{
    /// <summary>How much of a log's end is read.</summary>
    public const int TailBytes = 64 * 1024;

    /// <summary>How much of a log's beginning is read to tell a config.sh run from a listener run.</summary>
    public const int HeadBytes = 16 * 1024;

    public const string DiagFolderName = "_diag";
    public const string LogPattern = "Runner_*.log";

    /// <summary>What the listener writes once its session is up (<c>WRITE LINE: &lt;time&gt;: Listening for Jobs</c>).</summary>
    public const string ListeningMarker = "Listening for Jobs";

    /// <summary>How many of the newest logs are looked at to find the newest listener log.</summary>
    private const int MaxLogsExamined = 20;

    /// <summary>
    /// The listener's terminal exits (actions/runner Runner.cs, MessageListener.cs, BrokerMessageListener.cs, and the
    /// service host's last word): after any of them the unit ends inactive and does not come back by itself.
    /// "Connected to GitHub" is not here, nor as a sign of health: it is printed but never written to <c>_diag</c>.
    /// </summary>
    private static readonly string[] _terminalMarkers =
    [
        "registration has been deleted from the server",
        "no longer exists on the server",
        "Runner OAuth token has been revoked",
        "Failed to create session",
        "Get next message failed with non-retryable error",
        "Stopping the runner after 10 consecutive re-tryable failures",
    ];

    /// <summary>
    /// How a <c>Runner.Listener</c> run started by config.sh shows itself near the top of its log: its command line is
    /// parsed into "Command 'configure': 'True'" or "Command 'remove': 'True'" (CommandSettings.TestCommand); a listener
    /// has "Command 'run': 'True'", and a continued page of a long listener log has neither.
    /// </summary>
    private static readonly string[] _configRunMarkers = ["Command 'configure': 'True'", "Command 'remove': 'True'"];

    /// <summary>
    /// What <see cref="Read"/> said of each runner, with the log it read, kept while the folder (no log added or
    /// removed) and that log (not grown) stay as they were, and <c>.runner</c> (not registered again) too when the
    /// verdict weighed its time.
    /// </summary>
    private readonly FileStampCache<(DiagLogVerdict Verdict, string? Newest, bool WeighedRunnerFile)> _seen = new(fileSystem);

    /// <summary>The listener's latest word in its newest log, for the expiry source.</summary>
    public DiagLogVerdict Read(string runnerDirectory)
    {
        var folder = fileSystem.Path.Combine(runnerDirectory, DiagFolderName);
        var runnerFile = fileSystem.Path.Combine(runnerDirectory, RunnerFiles.Runner);
        if (_seen.TryPeek(runnerDirectory, out var kept)
            && _seen.TryGet(runnerDirectory, kept.WeighedRunnerFile ? _seen.StampAll(folder, kept.Newest ?? folder, runnerFile) : _seen.StampAll(folder, kept.Newest ?? folder), out kept))
        {
            return kept.Verdict;
        }

        var stamps = _seen.StampAll(folder, runnerFile);
        var verdict = ReadNow(folder, runnerFile, out var newest, out var newestStamp);
        if (stamps.Length > 0)
        {
            // Only a terminal line is weighed against .runner's time: other verdicts do not depend on it.
            var newestOrFolder = newest is null ? stamps[0] : newestStamp;
            var weighed = verdict.Terminal || verdict.Doubtful;
            _seen.Set(runnerDirectory, weighed ? [stamps[0], newestOrFolder, stamps[1]] : [stamps[0], newestOrFolder], (verdict, newest, weighed));
        }

        return verdict;
    }

    /// <param name="folder">The <c>_diag</c> folder.</param>
    /// <param name="runnerFile">The runner's <c>.runner</c>.</param>
    /// <param name="newest">The listener log read; null when there is none.</param>
    /// <param name="newestStamp">Its stamp, taken after the listing and before the read: a line logged meanwhile shows at the next check.</param>
    private DiagLogVerdict ReadNow(string folder, string runnerFile, out string? newest, out FileStamp? newestStamp)
    {
        newest = null;
        newestStamp = null;
        if (!fileSystem.Directory.Exists(folder))
        {
            return new(false, $"no listener log: {folder} does not exist", Doubtful: true);
        }

        // Sorted by one comparison rather than OrderBy(...).ThenBy(...), whose second key is a generic virtual method
        // that Native AOT resolves at run time on each new process.
        var examined = fileSystem.DirectoryInfo.New(folder).EnumerateFiles(LogPattern).ToList();
        examined.Sort(NewestFirst);
        if (examined.Count > MaxLogsExamined)
        {
            examined.RemoveRange(MaxLogsExamined, examined.Count - MaxLogsExamined);
        }
        var log = examined.FirstOrDefault(f => UnixFileStatus.MayOpen(fileSystem, f.FullName) && !IsConfigRun(f.FullName));
        if (log is null)
        {
            // A FIFO or a device named like a log is never opened (it would block); say so, or the operator looks in vain.
            var skipped = examined.Where(f => !UnixFileStatus.MayOpen(fileSystem, f.FullName)).Select(f => f.Name).ToList();
            return new(
                false,
                $"no listener log in {folder} (no Runner_*.log, or only config.sh runs among the newest)"
                    + (skipped.Count > 0 ? $"; not regular files, not opened: {string.Join(", ", skipped)}" : string.Empty),
                Doubtful: true);
        }

        newest = log.FullName;
        newestStamp = UnixFileStatus.IsReal(fileSystem) ? UnixFileStatus.Stamp(newest) : null;
        var reading = Scan(ReadLines(log.FullName, 0, log.Length));
        if (reading.Terminal is not { } line)
        {
            // Neither is not doubtful: "Listening for Jobs" is written once per session, and a long-running listener's
            // newest page, or the tail read of it, need not hold it.
            return new(false, reading.Listening
                ? $"{log.Name}: the listener's latest word is \"{ListeningMarker}\""
                : $"{log.Name} logs no terminal exit of the listener");
        }

        var loggedAt = LineTime(line) ?? new DateTimeOffset(log.LastWriteTimeUtc, TimeSpan.Zero);
        if (fileSystem.File.Exists(runnerFile))
        {
            var registeredAt = new DateTimeOffset(fileSystem.File.GetLastWriteTimeUtc(runnerFile), TimeSpan.Zero);
            if (loggedAt < registeredAt)
            {
                return new(
                    false,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{log.Name} logs a terminal exit at {loggedAt:u}, before the current registration ({RunnerFiles.Runner} written {registeredAt:u}): stale, and no listener has logged since"),
                    Doubtful: true);
            }
        }

        return new(true, string.Create(CultureInfo.InvariantCulture, $"{log.Name} at {loggedAt:u}: \"{line}\""));
    }

    /// <summary>The names and lengths of the logs now: what is new or grown after this is the next listener's.</summary>
    public DiagLogSnapshot Snapshot(string runnerDirectory)
    {
        var folder = fileSystem.Path.Combine(runnerDirectory, DiagFolderName);
        var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
        if (fileSystem.Directory.Exists(folder))
        {
            foreach (var file in fileSystem.DirectoryInfo.New(folder).EnumerateFiles(LogPattern))
            {
                lengths[file.Name] = file.Length;
            }
        }

        return new DiagLogSnapshot(lengths);
    }

    /// <summary>What the listener logged since <paramref name="snapshot"/>: in new logs, and in the grown part of older ones.</summary>
    public ListenerProgress ReadSince(string runnerDirectory, DiagLogSnapshot snapshot)
    {
        var folder = fileSystem.Path.Combine(runnerDirectory, DiagFolderName);
        if (!fileSystem.Directory.Exists(folder))
        {
            return new(false, null, null, []);
        }

        var lines = new List<string>();
        var logs = new List<string>();
        var changed = fileSystem.DirectoryInfo.New(folder)
            .EnumerateFiles(LogPattern)
            .Select(f => (File: f, Before: snapshot.Lengths.TryGetValue(f.Name, out var before) && before <= f.Length ? before : 0))
            .Where(f => f.File.Length > f.Before)
            .OrderBy(f => f.File.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var (file, before) in changed)
        {
            if (IsConfigRun(file.FullName))
            {
                continue;
            }

            logs.Add(file.Name);
            lines.AddRange(ReadLines(file.FullName, before, file.Length));
        }

        var reading = Scan(lines);
        return new(reading.Listening, reading.Terminal, reading.LastError, logs);
    }

    private static (bool Listening, string? Terminal, string? LastError) Scan(IReadOnlyList<string> lines)
    {
        var listeningAt = -1;
        var terminalAt = -1;
        string? lastError = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (_terminalMarkers.Any(m => line.Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                terminalAt = i;
            }
            else if (line.Contains(ListeningMarker, StringComparison.Ordinal))
            {
                listeningAt = i;
            }

            if (IsError(line))
            {
                lastError = line.Trim();
            }
        }

        // The latest word counts: a later "Listening for Jobs" clears an older terminal line, and the other way round.
        return (listeningAt > terminalAt, terminalAt > listeningAt ? lines[terminalAt].Trim() : null, lastError);
    }

    /// <summary>An error the listener logged: <c>[2026-11-25 12:00:02Z ERR  Terminal] WRITE ERROR: …</c>.</summary>
    private static bool IsError(string line)
    {
        var close = line.IndexOf(']', StringComparison.Ordinal);
        return (line.StartsWith('[') && close > 0 && line.AsSpan(0, close).Contains(" ERR ", StringComparison.Ordinal))
            || line.Contains("WRITE ERROR", StringComparison.Ordinal);
    }


    private bool IsConfigRun(string path)
    {
        var head = ReadText(path, 0, HeadBytes);
        return _configRunMarkers.Any(m => head.Contains(m, StringComparison.Ordinal));
    }

    /// <summary>The lines between <paramref name="from"/> and <paramref name="length"/>, at most the last <see cref="TailBytes"/>.</summary>
    private List<string> ReadLines(string path, long from, long length)
    {
        var start = Math.Max(from, length - TailBytes);
        var lines = ReadText(path, start, length - start).Split('\n').ToList();
        if (start > from && lines.Count > 0)
        {
            // Cut in the middle of a line.
            lines.RemoveAt(0);
        }

        return lines;
    }

    private string ReadText(string path, long start, long count)
    {
        if (!UnixFileStatus.MayOpen(fileSystem, path))
        {
            return string.Empty;
        }

        try
        {
            using var stream = fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (start >= stream.Length)
            {
                return string.Empty;
            }

            stream.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[Math.Min(count, stream.Length - start)];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (FileNotFoundException)
        {
            // Removed by the runner's 30-day retention between listing and reading.
            return string.Empty;
        }
    }

    /// <summary>Reads the listener's time stamp, as in <c>[2026-11-25 12:00:02Z INFO Runner]</c>.</summary>
    private static DateTimeOffset? LineTime(string line) =>
        line.Length > 21 && line[0] == '['
        && DateTimeOffset.TryParseExact(
            line.AsSpan(1, 20),
            "yyyy-MM-dd HH:mm:ss'Z'",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var at)
            ? at
            : null;

    /// <summary>The newest log first: by modification time, then by name (the listener's names carry the time they were started).</summary>
    private static int NewestFirst(IFileInfo x, IFileInfo y)
    {
        var byTime = y.LastWriteTimeUtc.CompareTo(x.LastWriteTimeUtc);
        return byTime != 0 ? byTime : string.CompareOrdinal(y.Name, x.Name);
    }
}

/// <summary>The names and lengths of the runner's logs at one moment (right before a start).</summary>
internal sealed record DiagLogSnapshot(IReadOnlyDictionary<string, long> Lengths);

/// <summary>What the listener logged since a snapshot.</summary>
/// <param name="Listening">Whether its latest word is "Listening for Jobs".</param>
/// <param name="Terminal">The terminal line, when its latest word is one.</param>
/// <param name="LastError">The last error line it logged, if any.</param>
/// <param name="Logs">The logs read.</param>
internal sealed record ListenerProgress(bool Listening, string? Terminal, string? LastError, IReadOnlyList<string> Logs);

using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Metrics;

/// <summary>
/// Writes every runner's metrics into one file in the Prometheus text format (<see cref="RunnerTokenRefreshOptions.PrometheusFile"/>),
/// for node_exporter's textfile collector: one block per family (HELP, TYPE, one sample per runner labelled
/// <c>runner="NAME"</c>), rewritten atomically once per check of every runner, never per runner.
/// </summary>
/// <remarks>
/// Counters must never go backwards but on a real reset, and a timer's or cron's one-shot is a new process at every
/// check: each write starts from the file as it is (this sink's own format, read back), adds what this check counted,
/// and replaces it. The file this sink last wrote is not read again while its stamp shows nobody replaced it. Values
/// of a runner this check did not reach (its lock held elsewhere) stay as the file had them; a runner no longer
/// configured leaves the file. A file that cannot be read starts the counters again from zero, which Prometheus
/// takes for a reset. The file holds counts, times and runner names, never a secret: it is readable by all (0644),
/// written by its owner only, and one that another user planted or may write is neither read nor replaced, as the
/// JSON metrics file.
/// <para>
/// As the JSON metrics file, a long-lived process (the daemon) does not replace the file at every check when only a
/// check's own values changed (<c>checks_total</c>, the check's time stamp, the seconds left, the rate limit): those
/// are written when the file this process wrote is <see cref="CheckStepSeconds"/> seconds old,
/// and when the process stops (<see cref="Dispose"/>). A refresh or a failure is written at once, flushed to disk. A
/// process's first write is never put off, so each one-shot run writes what it counted.
/// </para>
/// </remarks>
internal sealed partial class PrometheusTextFileSink : IMetricsSink, IRunnerCheckSink, IDisposable
{
    /// <summary>The prefix of every metric's name.</summary>
    public const string Prefix = "runner_token_refresh_";

    /// <summary>The only file names node_exporter's textfile collector reads end so.</summary>
    public const string FileExtension = ".prom";

    // A file larger than this is not ours (about a kilobyte per runner); it is not read.
    private const int MaxFileBytes = 64 * 1024 * 1024;

    private static readonly Family[] Families =
    [
        new("checks_total", "counter", "Checks of the runner's registration (a dry run counts none).", s => s.Checks, (s, v) => s.Checks = (long)v),
        new("refreshes_total", "counter", "Re-registrations of the runner that succeeded.", s => s.Refreshes, (s, v) => s.Refreshes = (long)v),
        new("failures_total", "counter", "Refreshes of the runner that failed after every attempt.", s => s.Failures, (s, v) => s.Failures = (long)v),
        new("consecutive_failures", "gauge", "Refreshes of the runner failed in a row; 3 or more is critical.", s => s.ConsecutiveFailures, (s, v) => s.ConsecutiveFailures = (long)v),
        new("seconds_until_expiry", "gauge", "Seconds from the last check until the registration needed renewing, as the deciding source said (negative once passed); absent when no source knew.", s => s.SecondsUntilExpiry, (s, v) => s.SecondsUntilExpiry = v),
        new("last_refresh_duration_seconds", "gauge", "How long the runner's last refresh took, whether it succeeded or failed.", s => s.LastRefreshDuration, (s, v) => s.LastRefreshDuration = v),
        new("last_refresh_timestamp_seconds", "gauge", "When the runner was last re-registered, in Unix seconds.", s => s.LastRefreshTimestamp, (s, v) => s.LastRefreshTimestamp = v),
        new("last_check_timestamp_seconds", "gauge", "When the runner was last checked, in Unix seconds.", s => s.LastCheckTimestamp, (s, v) => s.LastCheckTimestamp = v),
    ];

    /// <summary>The family with a second label, <c>resource</c>: one sample per bucket.</summary>
    private static readonly Family RateLimitFamily = new(
        "github_rate_limit_remaining",
        "gauge",
        "Calls left in the GitHub API rate-limit bucket (resource) the runner's calls draw on, as GitHub last said.",
        null,
        null);

    /// <summary>
    /// How far the file may lag a daemon's checks when only the checks' own values changed, in seconds: at an interval of
    /// 30 s or more every check is written, under it one every 30 s. One file for every runner, so it is not spread.
    /// </summary>
    public const int CheckStepSeconds = 30;

    private static readonly TimeSpan CheckStep = TimeSpan.FromSeconds(CheckStepSeconds);

    private readonly IFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly IRateLimitSource[] _rateLimitSources;
    private readonly ILogger<PrometheusTextFileSink> _logger;
    private readonly Lazy<string?> _path;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly WrittenFiles<Written> _written;
    private IReadOnlyList<RunnerContext>? _runners;

    public PrometheusTextFileSink(
        IOptions<RunnerTokenRefreshOptions> options,
        IFileSystem fileSystem,
        IEnumerable<IRateLimitSource> rateLimitSources,
        TimeProvider timeProvider,
        ILogger<PrometheusTextFileSink> logger)
    {
        _fileSystem = fileSystem;
        _timeProvider = timeProvider;
        _rateLimitSources = [.. rateLimitSources];
        _logger = logger;
        _written = new(fileSystem);

        // Read at the first record: the options are validated by then (the engine read them first).
        _path = new(() => options.Value.PrometheusFile is { Length: > 0 } path && !string.IsNullOrWhiteSpace(path)
            ? fileSystem.Path.GetFullPath(path.Trim())
            : null);
    }

    /// <summary>Gets a value indicating whether a Prometheus file is configured; without one, every call returns at once.</summary>
    private bool Enabled => _path.Value is not null;

    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            lock (_gate)
            {
                var pending = PendingFor(runner);
                pending.Checks++;
                pending.LastCheckTimestamp = checkedAt.ToUnixTimeSeconds();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            lock (_gate)
            {
                var pending = PendingFor(runner);
                pending.Refreshes++;
                pending.ConsecutiveFailures = 0;
                pending.LastRefreshTimestamp = refreshedAt.ToUnixTimeSeconds();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            lock (_gate)
            {
                var pending = PendingFor(runner);
                pending.Failures++;
                pending.ConsecutiveFailures = consecutiveFailures;
            }
        }

        return ValueTask.CompletedTask;
    }

    public void RecordCheckFacts(RunnerContext runner, RunnerCheckFacts facts)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            // Known or not, this check's word replaces the last one's: an expiry no source knows now is not shown.
            var pending = PendingFor(runner);
            pending.ExpiryReported = true;
            pending.SecondsUntilExpiry = facts.ExpiresAt is { } expiresAt ? Math.Floor((expiresAt - facts.CheckedAt).TotalSeconds) : null;
            if (facts.RefreshDuration is { } duration)
            {
                pending.LastRefreshDuration = Math.Round(duration.TotalSeconds, 3);
            }
        }
    }

    public ValueTask CompleteCheckAsync(IReadOnlyList<RunnerContext> runners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runners);
        if (_path.Value is not { } path)
        {
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            _runners = runners;
            if (_pending.Count == 0)
            {
                // Nothing was recorded (a dry run, every runner's lock held elsewhere): the file stays as it is.
                return ValueTask.CompletedTask;
            }

            Write(path, runners, mayWait: true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Writes what was recorded but is not in the file yet (a daemon's last checks' counts), as the process stops.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_pending.Count == 0 || _runners is not { } runners || _path.Value is not { } path)
            {
                return;
            }

            try
            {
                Write(path, runners, mayWait: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogNotWrittenAtStop(path, ex.Message);
            }
        }
    }

    /// <summary>
    /// Writes the file: what it holds with what was recorded since. With <paramref name="mayWait"/>, a write that would
    /// change only the checks' own values of a file this process wrote less than <see cref="CheckStep"/> ago is put off.
    /// </summary>
    private void Write(string path, IReadOnlyList<RunnerContext> runners, bool mayWait)
    {
        var (held, fromDisk, own) = Read(path);
        var series = new Dictionary<string, RunnerSeries>(StringComparer.Ordinal);
        var durable = !fromDisk;
        foreach (var runner in runners)
        {
            var one = held.TryGetValue(runner.Name, out var was) ? was.Clone() : new RunnerSeries();
            if (_pending.TryGetValue(runner.Name, out var pending))
            {
                durable |= pending.Refreshes > 0 || pending.Failures > 0;
                pending.ApplyTo(one);
            }

            AddRateLimits(runner, one);
            series[runner.Name] = one;
        }

        var now = _timeProvider.GetUtcNow();
        if (mayWait && own is not null && now - own.At < CheckStep && OnlyChecksChanged(own.Series, series))
        {
            // What was recorded stays pending: the next write starts from the same file and adds it.
            return;
        }

        var content = Render(runners, series);

        // Counts are flushed to disk before the rename; the check's times alone may be lost in a crash (the next
        // check writes them again), as the JSON metrics file does.
        AtomicFile.Write(_fileSystem, path, content, AtomicFile.WorldReadable, durable: durable);
        _pending.Clear();
        _written.Remember(path, new Written(series, now));
    }

    /// <summary>Whether the same runners are there and only each check's own values differ: no refresh, failure or duration.</summary>
    private static bool OnlyChecksChanged(Dictionary<string, RunnerSeries> before, Dictionary<string, RunnerSeries> after)
    {
        if (before.Count != after.Count)
        {
            return false;
        }

        foreach (var (name, one) in after)
        {
            if (!before.TryGetValue(name, out var was) || !one.SameOutcomes(was))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Renders the file: one block per family that has a sample (HELP, TYPE, a sample per runner), runners in the configured order.</summary>
    internal static byte[] Render(IReadOnlyList<RunnerContext> runners, IReadOnlyDictionary<string, RunnerSeries> series)
    {
        var text = new StringBuilder(256 + (runners.Count * 640));
        foreach (var family in Families)
        {
            var started = false;
            foreach (var runner in runners)
            {
                if (series.TryGetValue(runner.Name, out var one) && family.Get!(one) is { } value)
                {
                    if (!started)
                    {
                        AppendHeader(text, family);
                        started = true;
                    }

                    text.Append(Prefix).Append(family.Name).Append("{runner=\"");
                    AppendLabelValue(text, runner.Name);
                    text.Append("\"} ").Append(Format(value)).Append('\n');
                }
            }
        }

        var limitsStarted = false;
        foreach (var runner in runners)
        {
            if (!series.TryGetValue(runner.Name, out var one))
            {
                continue;
            }

            foreach (var (resource, remaining) in one.RateLimitRemaining)
            {
                if (!limitsStarted)
                {
                    AppendHeader(text, RateLimitFamily);
                    limitsStarted = true;
                }

                text.Append(Prefix).Append(RateLimitFamily.Name).Append("{runner=\"");
                AppendLabelValue(text, runner.Name);
                text.Append("\",resource=\"");
                AppendLabelValue(text, resource);
                text.Append("\"} ").Append(Format(remaining)).Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads back a file this sink wrote: each runner's values by family. Throws <see cref="FormatException"/> on a line it cannot read.</summary>
    internal static Dictionary<string, RunnerSeries> Parse(string text)
    {
        var series = new Dictionary<string, RunnerSeries>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var sample = Sample.Parse(line) ?? throw new FormatException($"line {number} is not a sample: '{Shorten(line)}'");
            if (!sample.Name.StartsWith(Prefix, StringComparison.Ordinal) || !sample.Labels.TryGetValue("runner", out var runner))
            {
                continue;
            }

            var name = sample.Name[Prefix.Length..];
            if (!series.TryGetValue(runner, out var one))
            {
                one = new RunnerSeries();
                series[runner] = one;
            }

            if (name == RateLimitFamily.Name)
            {
                if (sample.Labels.TryGetValue("resource", out var resource))
                {
                    one.RateLimitRemaining[resource] = sample.Value;
                }

                continue;
            }

            foreach (var family in Families)
            {
                if (family.Name == name)
                {
                    family.Set!(one, sample.Value);
                    break;
                }
            }
        }

        return series;
    }

    private static void AppendHeader(StringBuilder text, Family family)
    {
        text.Append("# HELP ").Append(Prefix).Append(family.Name).Append(' ');
        foreach (var c in family.Help)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }

        text.Append('\n').Append("# TYPE ").Append(Prefix).Append(family.Name).Append(' ').Append(family.Type).Append('\n');
    }

    /// <summary>A label value as the text format escapes it: backslash, double quote and line feed.</summary>
    private static void AppendLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";

    /// <summary>What this check recorded of <paramref name="runner"/> so far; called under <see cref="_gate"/>.</summary>
    private Pending PendingFor(RunnerContext runner)
    {
        if (!_pending.TryGetValue(runner.Name, out var pending))
        {
            pending = new Pending();
            _pending[runner.Name] = pending;
        }

        return pending;
    }

    private void AddRateLimits(RunnerContext runner, RunnerSeries series)
    {
        foreach (var source in _rateLimitSources)
        {
            try
            {
                foreach (var limit in source.GetRateLimits(runner))
                {
                    series.RateLimitRemaining[limit.Resource] = limit.Remaining;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gauge stays as the file had it; the other values are still written.
                LogRateLimitSourceFailed(runner.Name, source.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>
    /// The values in the file, whether they came from it (false: missing or unreadable, so counts start at zero), and
    /// this sink's own last write when the file is still that write.
    /// </summary>
    private (Dictionary<string, RunnerSeries> Series, bool FromDisk, Written? Own) Read(string path)
    {
        if (_written.TryGet(path, out var written))
        {
            // The file this sink wrote last, and still that file: nobody replaced it.
            return (written.Series, true, written);
        }

        if (!_fileSystem.File.Exists(path))
        {
            return ([], false, null);
        }

        // A file another user planted or can write is neither read nor replaced.
        if (UnixFileStatus.IsReal(_fileSystem) && UnixFileStatus.UntrustedProblem(path) is { } untrusted)
        {
            throw new IOException($"Prometheus file refused: {untrusted}");
        }

        if (_fileSystem.FileInfo.New(path).Length > MaxFileBytes)
        {
            LogCorruptFile(path, $"larger than {MaxFileBytes / 1024 / 1024} MiB");
            return ([], false, null);
        }

        try
        {
            var bytes = UnixFileStatus.ReadAllBytes(_fileSystem, path);
            return (Parse(Encoding.UTF8.GetString(Utf8Bom.Strip(bytes).Span)), true, null);
        }
        catch (FormatException ex)
        {
            // Counters restart from zero rather than stop recording (Prometheus takes it for a reset); the operator is told which file was bad.
            LogCorruptFile(path, ex.Message);
            return ([], false, null);
        }
    }

    [LoggerMessage(EventId = 133, Level = LogLevel.Warning, Message = "Prometheus file {Path} cannot be read ({Problem}); its counters start again from zero")]
    private partial void LogCorruptFile(string path, string problem);

    [LoggerMessage(EventId = 135, Level = LogLevel.Warning, Message = "Prometheus file {Path} could not be written as the process stopped; the last checks' counts are lost: {Error}")]
    private partial void LogNotWrittenAtStop(string path, string error);

    [LoggerMessage(EventId = 134, Level = LogLevel.Warning, Message = "Runner {Runner}: rate-limit source {Source} failed, its gauge is left as it was: {Error}")]
    private partial void LogRateLimitSourceFailed(string runner, string source, string error);

    /// <summary>One family: its name after the prefix, type, help, and how a runner's value is read and set.</summary>
    private sealed record Family(string Name, string Type, string Help, Func<RunnerSeries, double?>? Get, Action<RunnerSeries, double>? Set);

    /// <summary>What this sink last wrote to the file, the file's stamp right after, and when.</summary>
    private sealed record Written(Dictionary<string, RunnerSeries> Series, DateTimeOffset At);

    /// <summary>What this check recorded of one runner, added to (counts) or put over (values) the file's at the write.</summary>
    private sealed class Pending
    {
        public long Checks { get; set; }

        public long Refreshes { get; set; }

        public long Failures { get; set; }

        public long? ConsecutiveFailures { get; set; }

        public double? LastCheckTimestamp { get; set; }

        public double? LastRefreshTimestamp { get; set; }

        public bool ExpiryReported { get; set; }

        public double? SecondsUntilExpiry { get; set; }

        public double? LastRefreshDuration { get; set; }

        public void ApplyTo(RunnerSeries series)
        {
            series.Checks = Add(series.Checks, Checks);
            series.Refreshes = Add(series.Refreshes, Refreshes);
            series.Failures = Add(series.Failures, Failures);
            series.ConsecutiveFailures = ConsecutiveFailures ?? series.ConsecutiveFailures;
            series.LastCheckTimestamp = LastCheckTimestamp ?? series.LastCheckTimestamp;
            series.LastRefreshTimestamp = LastRefreshTimestamp ?? series.LastRefreshTimestamp;
            series.LastRefreshDuration = LastRefreshDuration ?? series.LastRefreshDuration;
            if (ExpiryReported)
            {
                series.SecondsUntilExpiry = SecondsUntilExpiry;
            }
        }

        // A count read back negative (edited by hand) starts over rather than stay below zero; a full one saturates.
        private static long Add(long count, long more) => count < 0 ? more : count > long.MaxValue - more ? long.MaxValue : count + more;
    }

    /// <summary>One sample line of the text format, read as this sink writes them: <c>name{label="value",…} value</c>.</summary>
    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value)
    {
        public static Sample? Parse(string line)
        {
            var i = 0;
            while (i < line.Length && line[i] is not ('{' or ' '))
            {
                i++;
            }

            var name = line[..i];
            if (name.Length == 0)
            {
                return null;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i++;
                while (i < line.Length && line[i] != '}')
                {
                    var equals = line.IndexOf('=', i);
                    if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
                    {
                        return null;
                    }

                    var label = line[i..equals];
                    var value = new StringBuilder();
                    i = equals + 2;
                    while (i < line.Length && line[i] != '"')
                    {
                        if (line[i] == '\\' && i + 1 < line.Length)
                        {
                            i++;
                            value.Append(line[i] switch { 'n' => '\n', var c => c });
                        }
                        else
                        {
                            value.Append(line[i]);
                        }

                        i++;
                    }

                    if (i >= line.Length || !labels.TryAdd(label, value.ToString()))
                    {
                        return null;
                    }

                    i++;
                    if (i < line.Length && line[i] == ',')
                    {
                        i++;
                    }
                }

                if (i >= line.Length)
                {
                    return null;
                }

                i++;
            }

            var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length == 0)
            {
                return null;
            }

            double number;
            if (rest[0] is "+Inf")
            {
                number = double.PositiveInfinity;
            }
            else if (rest[0] is "-Inf")
            {
                number = double.NegativeInfinity;
            }
            else if (!double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                return null;
            }

            return new Sample(name, labels, number);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Abstractions;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runner's registration as GitHub sees it: listed means valid with no expiry; absent (GitHub, asked by name, has
/// none of that name) means invalid now (GitHub deletes a runner after 14 days offline, 1 day if ephemeral, or an admin
/// did); no answer, or no sure one, means unknown.
/// </summary>
/// <remarks>
/// GitHub is asked for one runner by name, and not at every check: once per
/// <see cref="GitHubOptions.RegistrationCheckInterval"/>, or less often when this process has more runners than
/// <see cref="GitHubOptions.RegistrationChecksPerHour"/> allows at that interval (<see cref="Cadence"/>; each wait drawn
/// between 0.75 and 1.25 times it, from the runner's name and the time, so a fleet started together spreads out), or at
/// once (at most every <see cref="DoubtfulInterval"/>) when a local source sees something wrong
/// (<see cref="ExpiryObservationKind.Doubtful"/>). When it was asked and what it said are kept in
/// <see cref="FileName"/> in the runner's state folder, so a timer or cron run (a new process each minute) keeps the
/// same cadence as the daemon. The listener logs a deletion itself, so most deletions are seen at the next check without
/// asking GitHub; the cadence catches the rest.
/// </remarks>
internal sealed class GitHubRegistrationExpirySource(
    RunnerLookup lookup,
    IOptions<GitHubOptions> options,
    IOptionsMonitor<RunnerTokenRefreshOptions> engineOptions,
    IFileSystem fileSystem,
    TimeProvider timeProvider,
    ILogger<GitHubRegistrationExpirySource> logger) : IRemoteExpirySource
{
    public const string SourceName = "github";

    /// <summary>The file, in the runner's state folder, that says when GitHub was last asked and what it said.</summary>
    public const string FileName = "github-check.json";

    /// <summary>How often GitHub is asked at most while a local source sees something wrong that GitHub's answer did not explain.</summary>
    public static readonly TimeSpan DoubtfulInterval = TimeSpan.FromMinutes(5);

    /// <summary>The shortest and longest wait, as fractions of the interval.</summary>
    internal const double JitterLow = 0.75;

    internal const double JitterHigh = 1.25;

    /// <summary>
    /// The shortest first wait, as a fraction of the interval: after a runner's first answer (no record yet: a new host,
    /// or a record lost), the wait is drawn over a whole interval, so the runners of a host that start together do not
    /// ask together again, one interval later and for hours after.
    /// </summary>
    internal const double FirstJitterLow = 0.25;

    /// <summary>
    /// The most questions this source asks GitHub in one minute (of the clock), whatever the process's runners: many
    /// runners due at once (in doubt together, their units stopped for maintenance; or never asked, at a first check)
    /// are asked that many at each check and the rest at the next ones, well inside GitHub's secondary limit (900 points
    /// a minute per endpoint) and its primary limit (5,000 an hour).
    /// </summary>
    internal const int MaxQuestionsPerMinute = 30;

    // Far more than the file holds, GitHub's answer with a hundred long labels included; a larger file is not ours, and
    // is not read.
    private const int MaxFileBytes = 64 * 1024;

    // Each runner's record as this process last wrote or read it, by state folder: the file is read only when there is
    // none, or it is due (a daemon reads each once, then at each question; a timer or cron run once).
    private readonly ConcurrentDictionary<string, GitHubCheck> _held = new(StringComparer.Ordinal);

    // The questions asked in each minute of the clock (MaxQuestionsPerMinute).
    private readonly MinuteBudget _questions = new(MaxQuestionsPerMinute);

    // The runners this process checks, as last configured validly (a reload that failed validation keeps the runners).
    private int _runners = 1;

    // The cadence last logged, so a change (more runners after a reload) is logged once.
    private TimeSpan _loggedCadence;

    public ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken) =>
        ObserveAsync(runner, [], cancellationToken);

    public async ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, IReadOnlyList<ExpiryObservation> local, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(local);
        var now = timeProvider.GetUtcNow();
        // This process's own record, until it is due: not even stat'ed at the checks between two questions (the daemon
        // is the file's only writer; a record another process wrote meanwhile is read once this one is due).
        var held = _held.TryGetValue(runner.StateDirectory, out var mine) && mine.CheckedAt <= now && now < mine.NextCheckAt
            ? mine
            : Read(runner);
        var doubtful = local.FirstOrDefault(o => o.Kind == ExpiryObservationKind.Doubtful);
        if (held is { Listed: true } && held.CheckedAt <= now)
        {
            var next = doubtful is null ? held.NextCheckAt : Min(held.NextCheckAt, held.CheckedAt + DoubtfulInterval);
            if (now < next)
            {
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    // Formatted only when logged: this is every runner at every check.
                    Log.RegistrationCheckSkipped(logger, runner.Name, LogText.Time(held.CheckedAt), LogText.Time(next));
                }

                return ExpiryObservation.ValidNoExpiry(SourceName);
            }
        }

        if (!_questions.TryTake(now, out var firstRefused))
        {
            if (firstRefused)
            {
                Log.RegistrationQuestionsDeferred(logger, MaxQuestionsPerMinute);
            }

            // Not asked now, and nothing saved: the runner is still due at the next check. A runner GitHub listed at the
            // last question stays valid meanwhile; of one never asked, or in doubt, GitHub cannot say yet.
            return held is { Listed: true }
                ? ExpiryObservation.ValidNoExpiry(SourceName)
                : ExpiryObservation.Unknown(SourceName, $"GitHub not asked yet whether runner {runner.Name} is registered: this process asked {MaxQuestionsPerMinute} questions this minute, the most it asks; asked at a later check");
        }

        if (doubtful is not null)
        {
            Log.RegistrationCheckDoubtful(logger, runner.Name, $"{doubtful.Source}: {doubtful.Reason}");
        }

        RegisteredRunner? found;
        try
        {
            found = await lookup.FindAsync(runner.Scope, runner.Name, RunnerLookup.CheckMaxAge, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            // Asked again after a short while, not at every check: GitHub that failed now is unlikely to answer in a minute.
            Save(runner, new GitHubCheck
            {
                CheckedAt = held?.CheckedAt ?? now,
                Listed = held?.Listed ?? false,
                NextCheckAt = now + DoubtfulInterval,
                Answer = held?.Answer,
            });
            return ExpiryObservation.Unknown(SourceName, $"cannot tell from GitHub whether runner {runner.Name} is registered: {ex.Message}");
        }

        if (found is null)
        {
            Save(runner, new GitHubCheck { CheckedAt = now, Listed = false, NextCheckAt = now });
            Log.RunnerNotListed(logger, runner.Name, runner.Scope.DisplayName);
            return ExpiryObservation.Invalid(
                SourceName,
                $"runner {runner.Name} is not listed on GitHub (asked by name; deleted after 14 days offline or by an admin)");
        }

        var low = held is null ? FirstJitterLow : JitterLow;
        var wait = Cadence() * (low + ((JitterHigh - low) * Jitter(runner, now)));
        Save(runner, new GitHubCheck { CheckedAt = now, Listed = true, NextCheckAt = now + wait, Answer = GitHubCheckAnswer.From(found) });
        Log.RunnerStatus(logger, runner.Name, found.Status ?? "unknown", found.Busy);
        return ExpiryObservation.ValidNoExpiry(SourceName);
    }

    /// <summary>
    /// The mean wait between two questions about one runner whose log looks healthy:
    /// <see cref="GitHubOptions.RegistrationCheckInterval"/>, or longer when this process's runners would together ask
    /// more than <see cref="GitHubOptions.RegistrationChecksPerHour"/> questions an hour at that interval (runners ÷
    /// that many hours), so that a host's requests do not grow with its runners.
    /// </summary>
    internal TimeSpan Cadence()
    {
        var settings = options.Value;
        try
        {
            _runners = Math.Max(1, engineOptions.CurrentValue.Runners.Count);
        }
        catch (OptionsValidationException)
        {
            // A configuration that fails validation (a reload the engine refused): the runners it still checks.
        }

        var shared = TimeSpan.FromHours(1) * _runners / settings.RegistrationChecksPerHour;
        var cadence = shared > settings.RegistrationCheckInterval ? shared : settings.RegistrationCheckInterval;
        if (cadence != _loggedCadence)
        {
            _loggedCadence = cadence;
            if (shared > settings.RegistrationCheckInterval)
            {
                Log.RegistrationCadenceShared(logger, _runners, settings.RegistrationChecksPerHour, LogText.Duration(cadence));
            }
        }

        return cadence;
    }

    /// <summary>The longest a runner whose log looks healthy goes without a question: the cadence's longest wait.</summary>
    internal TimeSpan LongestWait() => Cadence() * JitterHigh;

    /// <summary>
    /// A fraction in [0, 1) drawn from the runner's scope, name and the minute of asking: as spread as a random draw
    /// across a fleet (every runner has its own name) and from one check to the next, but the same for the same inputs,
    /// so a simulated day counts the same requests each time it runs.
    /// </summary>
    internal static double Jitter(RunnerContext runner, DateTimeOffset at) =>
        StableFraction.Of(string.Create(CultureInfo.InvariantCulture, $"{runner.Url}|{runner.Name}|{at.UtcTicks / TimeSpan.TicksPerMinute}"));

    /// <summary>
    /// GitHub's last answer about <paramref name="runner"/> (what a re-registration keeps: id, labels, group, ephemeral),
    /// when it listed the runner less than <paramref name="maxAge"/> ago: from this process's record, or from the one an
    /// earlier timer or cron run wrote. Null otherwise. No request: the registration record takes its labels from here.
    /// </summary>
    internal RegisteredRunner? KeptAnswer(RunnerContext runner, TimeSpan maxAge)
    {
        var now = timeProvider.GetUtcNow();
        var check = _held.TryGetValue(runner.StateDirectory, out var mine) ? mine : Read(runner);
        return check is { Listed: true, Answer: { } answer }
            && check.CheckedAt <= now
            && now - check.CheckedAt < maxAge
            && string.Equals(answer.Name, runner.Name, StringComparison.OrdinalIgnoreCase)
            ? answer.ToRunner()
            : null;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>The last check's record; <see langword="null"/> when there is none or it cannot be used (then GitHub is asked).</summary>
    private GitHubCheck? Read(RunnerContext runner)
    {
        if (StateFile.TryRead(fileSystem, PathOf(runner), MaxFileBytes, GitHubCheckJsonContext.Default.GitHubCheck) is not { Version: GitHubCheck.CurrentVersion } check)
        {
            // GitHub is asked, and the answer's record replaces what is held.
            return null;
        }

        _held[runner.StateDirectory] = check;
        return check;
    }

    private string PathOf(RunnerContext runner) => fileSystem.Path.Combine(runner.StateDirectory, FileName);

    private void Save(RunnerContext runner, GitHubCheck check)
    {
        var path = PathOf(runner);
        // Kept even when the file cannot be written: this process keeps its cadence.
        _held[runner.StateDirectory] = check;
        try
        {
            // Replaced atomically, not flushed to disk: a crash that loses the record costs one question more (a file
            // missing, empty or unreadable is asked about again), never a wrong answer. The flush was a tenth of the CPU
            // of a daemon's check where GitHub was asked about one runner in thirty.
            StateFile.Write(fileSystem, path, check, GitHubCheckJsonContext.Default.GitHubCheck, durable: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RegistrationCheckNotSaved(logger, runner.Name, path, ex.Message);
        }
    }
}

/// <summary>When GitHub was last asked about a runner, what it said, and when to ask next.</summary>
internal sealed class GitHubCheck
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public DateTimeOffset CheckedAt { get; set; }

    public bool Listed { get; set; }

    public DateTimeOffset NextCheckAt { get; set; }

    /// <summary>What GitHub listed, when it did: what the registration record keeps (no busy or status, which change).</summary>
    public GitHubCheckAnswer? Answer { get; set; }
}

/// <summary>The part of GitHub's answer about a runner that a re-registration keeps.</summary>
internal sealed class GitHubCheckAnswer
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public List<string> CustomLabels { get; set; } = [];

    public bool HasDefaultLabels { get; set; } = true;

    public bool? Ephemeral { get; set; }

    public long? RunnerGroupId { get; set; }

    public static GitHubCheckAnswer From(RegisteredRunner runner) => new()
    {
        Id = runner.Id,
        Name = runner.Name,
        CustomLabels = [.. runner.CustomLabels],
        HasDefaultLabels = runner.HasDefaultLabels,
        Ephemeral = runner.Ephemeral,
        RunnerGroupId = runner.RunnerGroupId,
    };

    public RegisteredRunner ToRunner() => new(Id, Name)
    {
        CustomLabels = CustomLabels,
        HasDefaultLabels = HasDefaultLabels,
        Ephemeral = Ephemeral,
        RunnerGroupId = RunnerGroupId,
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(GitHubCheck))]
internal sealed partial class GitHubCheckJsonContext : JsonSerializerContext;

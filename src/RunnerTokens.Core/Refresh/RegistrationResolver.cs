using System.IO.Abstractions;
using Microsoft.Extensions.Logging;
using RunnerTokens.Runners;
using RunnerTokens.State;

namespace RunnerTokens.Refresh;

/// <summary>
/// Works out how to register a runner again exactly as it is, taking each setting from the first that knows it: the
/// runner's options (an explicit choice), its <c>.runner</c>, what the server lists (<see cref="IRunnerRegistrationSource"/>),
/// then the registration record. Keeps that record up to date, so a runner whose <c>.runner</c> is gone or that
/// GitHub no longer lists comes back with its group, labels and flags.
/// </summary>
internal sealed class RegistrationResolver(
    IFileSystem fileSystem,
    RegistrationRecordStore records,
    IEnumerable<IRunnerRegistrationSource> sources,
    TimeProvider timeProvider,
    ILogger<RegistrationResolver> logger)
{
    /// <summary>
    /// How often an ordinary check asks the server for what the runner's files do not hold (its labels), when no refresh
    /// asked meanwhile. Often enough that a runner GitHub deletes (after 14 days offline) comes back with the labels it
    /// had; seldom enough to cost a request only every few hours.
    /// </summary>
    public static readonly TimeSpan ListingRefreshInterval = TimeSpan.FromHours(6);

    /// <summary>
    /// How long <paramref name="runner"/>'s listing stays fresh: <see cref="ListingRefreshInterval"/> times 0.75 to 1.25,
    /// drawn from its name (<see cref="RunnerContext.NameFraction"/>). Runners that start together (a host's, at boot)
    /// then ask at times of their own, not all in one check every 6 hours.
    /// </summary>
    internal static TimeSpan ListingRefreshFor(RunnerContext runner) =>
        ListingRefreshInterval * (0.75 + (0.5 * runner.NameFraction));

    /// <summary>
    /// The most listings for the record that ordinary checks start in one minute (of the clock), in this process: the
    /// first check of a process whose runners have no record yet lists that many, and the others at the next checks,
    /// rather than asking the server about every runner at once.
    /// </summary>
    internal const int MaxListingsPerMinute = 30;

    private readonly IRunnerRegistrationSource[] _sources = [.. sources];

    private readonly MinuteBudget _listings = new(MaxListingsPerMinute);

    /// <summary>
    /// Per runner, the record's time of listing as of the last ordinary check that found nothing to write, kept while the
    /// record and <c>.runner</c> stay as they were: such a check then writes nothing again and reads neither.
    /// </summary>
    private readonly FileStampCache<DateTimeOffset?> _unchanged = new(fileSystem);

    /// <summary>Resolves the registration to repeat. Asks the server; a source that fails is noted, not fatal.</summary>
    /// <exception cref="RunnerReconfigurationException">The runner was registered under another name or URL since the refresher started, and no rename is allowed.</exception>
    public async Task<RunnerRegistration> ResolveAsync(RunnerContext runner, CancellationToken cancellationToken) =>
        (await ResolveCoreAsync(runner, maxAge: null, cancellationToken).ConfigureAwait(false)).Registration;

    /// <summary>Resolves the registration before a refresh and writes it into the record.</summary>
    public async Task<RunnerRegistration> ResolveAndRememberAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        var (registration, listed) = await ResolveCoreAsync(runner, maxAge: null, cancellationToken).ConfigureAwait(false);
        Remember(runner, registration, listed ? timeProvider.GetUtcNow() : null);
        return registration;
    }

    /// <summary>
    /// At an ordinary check: writes what <c>.runner</c> says into the record, and once an
    /// <see cref="ListingRefreshFor"/> (about 6 hours) also what the server lists (labels), so the record is ready for the day the
    /// runner needs registering again without either.
    /// </summary>
    public async Task RememberAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var stamps = _unchanged.StampAll(runner.Stamps.RunnerFile(fileSystem, runner.Files.RunnerFile), runner.Files.RegistrationRecord);
        if (_unchanged.TryGet(runner.StateDirectory, stamps, out var keptListedAt) && ListedRecently(keptListedAt))
        {
            // The commonest case: nothing changed since a check that had nothing to write.
            return;
        }

        var held = records.Read(runner.StateDirectory, out _);
        if (ListedRecently(held?.ListedAt))
        {
            // The common case, at every check: one read of the record, a write only when .runner changed.
            if (!Remember(runner, null, null, labelsOnlyIfListed: false, held))
            {
                _unchanged.Set(runner.StateDirectory, stamps, held?.ListedAt);
            }

            return;
        }

        if (!_listings.TryTake(now, out var firstRefused))
        {
            // This minute's listings are spent: the record is written from .runner alone, and the listing stays due.
            if (firstRefused)
            {
                Log.ListingsDeferred(logger, MaxListingsPerMinute);
            }

            Remember(runner, null, null, labelsOnlyIfListed: false, held);
            return;
        }

        try
        {
            // An answer the source already has will do, as long as it is no older than the listing may be.
            var (registration, listed) = await ResolveCoreAsync(runner, ListingRefreshFor(runner), cancellationToken).ConfigureAwait(false);

            // Asked, answered or not: a server that cannot answer is not asked again before the interval.
            Remember(runner, registration, now, labelsOnlyIfListed: !listed);
            _unchanged.Forget(runner.StateDirectory);
        }
        catch (RunnerReconfigurationException)
        {
            // Re-registered elsewhere since the start: the refresh path says so; the record keeps what it had.
        }

        // No server to ask, or asked less than an interval ago.
        bool ListedRecently(DateTimeOffset? listedAt) =>
            _sources.Length == 0 || (listedAt is { } at && now - at < ListingRefreshFor(runner));
    }

    /// <param name="runner">The runner.</param>
    /// <param name="maxAge">How old a listing the sources already have may be; null to ask them now (before a registration).</param>
    /// <param name="cancellationToken">Cancels the sources' requests.</param>
    private async Task<(RunnerRegistration Registration, bool Listed)> ResolveCoreAsync(RunnerContext runner, TimeSpan? maxAge, CancellationToken cancellationToken)
    {
        var (file, _) = RunnerSettingsFile.Read(fileSystem, runner.Directory);
        var record = records.Read(runner.StateDirectory, out var recordProblem);
        if (recordProblem is not null)
        {
            Log.RecordProblem(logger, runner.Name, recordProblem);
        }

        var origins = new List<string>();
        var renames = false;
        if (file is not null)
        {
            var sameName = string.Equals(file.AgentName, runner.Name, StringComparison.Ordinal);
            var sameUrl = file.GitHubUrl is null || RunnerIdentity.SameUrl(file.GitHubUrl, runner.Url);
            if (!sameName || !sameUrl)
            {
                renames = runner.AllowRename
                    ? true
                    : throw new RunnerReconfigurationException(
                        $"Runner {runner.Name}: {runner.Files.RunnerFile} now says the runner is registered as '{file.AgentName}' at {file.GitHubUrl}, not '{runner.Name}' at {runner.Url}: it was re-registered outside the refresher. Restart the refresher to follow it, or set Rename (--rename) to move it back.");
                origins.Add($"rename: from '{file.AgentName}' at {file.GitHubUrl} (.runner) to '{runner.Name}' at {runner.Url}: the old registration is removed on the server, the runner gets a new id");
            }
        }

        RegisteredRunner? listed = null;
        string? listedFrom = null;
        var answered = false;
        foreach (var source in _sources)
        {
            var name = source.GetType().Name;
            try
            {
                listed = await (maxAge is { } age ? source.FindAsync(runner, age, cancellationToken) : source.FindAsync(runner, cancellationToken)).ConfigureAwait(false);
                listedFrom = name;
                answered = true;
                if (listed is null)
                {
                    origins.Add($"the server does not list a runner named {runner.Name} ({name})");
                }

                break;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                origins.Add($"{name} failed ({Brief(ex.Message)})");
                Log.RegistrationSourceFailed(logger, runner.Name, name, ex.Message);
            }
        }

        var isRepository = runner.Scope.Kind == RunnerScopeKind.Repository;
        string? group = null;
        if (!isRepository)
        {
            group = Pick(origins, "runner group", (runner.RunnerGroup, "the options"), (file?.PoolName, ".runner"), (record?.RunnerGroup, "the registration record"));
        }

        var work = Pick(origins, "work folder", (file?.WorkFolder, ".runner"), (file is null ? record?.WorkFolder : null, "the registration record"));
        var monitor = Pick(origins, "monitor socket", (file?.MonitorSocketAddress, ".runner"), (file is null ? record?.MonitorSocketAddress : null, "the registration record"));
        var id = file?.AgentId ?? listed?.Id ?? record?.Id;

        IReadOnlyList<string> labels = [];
        var labelsKnown = true;
        if (runner.Labels.Count > 0)
        {
            labels = runner.Labels;
            origins.Add($"labels {string.Join(',', labels)}: the options");
        }
        else if (listed is not null)
        {
            labels = listed.CustomLabels;
            origins.Add($"labels {Shown(labels)}: {listedFrom}");
        }
        else if (record?.Labels is { } remembered)
        {
            labels = remembered;
            origins.Add($"labels {Shown(labels)}: the registration record");
        }
        else
        {
            labelsKnown = false;
            origins.Add("labels unknown: no source lists the runner and no record holds its labels; it is registered with the default labels only (set the runner's Labels to choose)");
        }

        var noDefaultLabels = Flag(origins, "no default labels", (runner.NoDefaultLabels, "the options"), (listed is null ? null : !listed.HasDefaultLabels, listedFrom), (record?.NoDefaultLabels, "the registration record"));
        if (noDefaultLabels && labels.Count == 0)
        {
            // config.sh refuses --no-default-labels without a label: a runner must have at least one.
            noDefaultLabels = false;
            origins.Add("default labels kept: without custom labels the runner needs them (config.sh refuses --no-default-labels alone)");
        }

        // .runner omits a flag that is off: when the file is there, its silence is an answer.
        var ephemeral = Flag(origins, "ephemeral", (runner.Ephemeral, "the options"), (file?.Ephemeral, ".runner"), (listed?.Ephemeral, listedFrom), (record?.Ephemeral, "the registration record"));
        var disableUpdate = Flag(origins, "disable update", (runner.DisableUpdate, "the options"), (file?.DisableUpdate, ".runner"), (record?.DisableUpdate, "the registration record"));

        var registration = new RunnerRegistration
        {
            Name = runner.Name,
            Url = runner.Url,
            Id = renames ? null : id,
            RunnerGroup = group,
            WorkFolder = work,
            Labels = labels,
            LabelsKnown = labelsKnown,
            NoDefaultLabels = noDefaultLabels,
            Ephemeral = ephemeral,
            DisableUpdate = disableUpdate,
            MonitorSocketAddress = monitor,
            Renames = renames,
            Origins = origins,
        };
        return (registration, answered && listed is not null);
    }

    /// <summary>Writes what is known now into the record: the registration resolved before a refresh, else <c>.runner</c> over the record.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="resolved">A registration just resolved; null to take only what <c>.runner</c> says.</param>
    /// <param name="listedAt">When the server was asked; null to keep the record's time.</param>
    /// <param name="labelsOnlyIfListed">Whether to keep the record's labels rather than ones that did not come from the server.</param>
    public void Remember(RunnerContext runner, RunnerRegistration? resolved, DateTimeOffset? listedAt, bool labelsOnlyIfListed = false)
    {
        Remember(runner, resolved, listedAt, labelsOnlyIfListed, records.Read(runner.StateDirectory, out _));
        _unchanged.Forget(runner.StateDirectory);
    }

    // held: the record as it is on disk now, already read by the caller (the check path reads it once). Returns
    // whether the record was written (or a write was tried and failed).
    private bool Remember(RunnerContext runner, RunnerRegistration? resolved, DateTimeOffset? listedAt, bool labelsOnlyIfListed, RegistrationRecord? held)
    {
        var (file, _) = RunnerSettingsFile.Read(fileSystem, runner.Directory);
        if (labelsOnlyIfListed && resolved is not null)
        {
            resolved = resolved with { LabelsKnown = false };
        }

        if (file is null && resolved is null)
        {
            // Nothing new to tell: keep the record as it is for the day .runner is gone.
            return false;
        }

        var record = new RegistrationRecord
        {
            Directory = runner.Directory,
            Name = file?.AgentName ?? resolved?.Name ?? runner.Name,
            Url = file?.GitHubUrl ?? resolved?.Url ?? runner.Url,
            Id = file?.AgentId ?? resolved?.Id ?? held?.Id,
            RunnerGroup = file?.PoolName ?? resolved?.RunnerGroup ?? held?.RunnerGroup,
            WorkFolder = file?.WorkFolder ?? resolved?.WorkFolder ?? held?.WorkFolder,
            Labels = resolved is { LabelsKnown: true } ? [.. resolved.Labels] : held?.Labels,
            NoDefaultLabels = resolved is { LabelsKnown: true } ? resolved.NoDefaultLabels : held?.NoDefaultLabels,
            Ephemeral = file?.Ephemeral ?? resolved?.Ephemeral ?? false,
            DisableUpdate = file?.DisableUpdate ?? resolved?.DisableUpdate ?? false,
            MonitorSocketAddress = file is not null ? file.MonitorSocketAddress : resolved?.MonitorSocketAddress,
            ListedAt = listedAt ?? held?.ListedAt,
        };

        try
        {
            return records.Write(runner.StateDirectory, record, held);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RecordProblem(logger, runner.Name, $"cannot write {runner.Files.RegistrationRecord}: {ex.Message}");
            return true;
        }
    }

    private static string? Pick(List<string> origins, string what, params (string? Value, string? From)[] choices)
    {
        foreach (var (value, from) in choices)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                origins.Add($"{what} {value}: {from}");
                return value;
            }
        }

        return null;
    }

    private static bool Flag(List<string> origins, string what, params (bool? Value, string? From)[] choices)
    {
        foreach (var (value, from) in choices)
        {
            if (value is { } known)
            {
                if (known)
                {
                    origins.Add($"{what}: {from}");
                }

                return known;
            }
        }

        return false;
    }

    /// <summary>The first sentence of a message: the log has it whole, the plan's one line needs only the gist.</summary>
    private static string Brief(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    private static string Shown(IReadOnlyList<string> labels) => labels.Count == 0 ? "(none)" : string.Join(',', labels);
}

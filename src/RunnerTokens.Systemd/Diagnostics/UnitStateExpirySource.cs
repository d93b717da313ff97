using System.IO.Abstractions;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// The unit's state, read without running a process: systemd keeps a cgroup folder for each unit that has processes
/// (<c>/sys/fs/cgroup/system.slice/UNIT</c> under cgroup v2, under <c>unified/</c> or <c>systemd/</c> on a v1 or hybrid
/// host). "Doubtful" when the runner's unit has none, so a source that asks GitHub (<see cref="IRemoteExpirySource"/>)
/// asks now whether the registration is still there; "unknown" otherwise, never "valid" or "invalid": a stopped unit
/// may be an operator's choice, and a running one proves nothing about the registration. A hint for the remote sources
/// (<see cref="IExpiryHintSource"/>): not read at all when none is registered (the expiry policy).
/// </summary>
/// <remarks>
/// A folder is a stat, where <c>systemctl is-active</c> would be a process per runner per check. What it cannot see: a
/// unit stopped while job processes it left behind (<c>KillMode=process</c>) still hold its cgroup reads as running; a
/// user unit (<see cref="SystemdOptions.UserUnits"/>) and a host without a <c>system.slice</c> folder (a container)
/// give no signal.
/// </remarks>
internal sealed class UnitStateExpirySource(IFileSystem fileSystem, IOptions<SystemdOptions> options, string cgroupRoot = UnitStateExpirySource.CgroupRoot) : IExpiryHintSource
{
    public const string SourceName = "unit-state";

    public const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>Where a system unit's cgroup folder is, by cgroup layout: v2, hybrid, v1.</summary>
    private static readonly string[] _slices = ["system.slice", "unified/system.slice", "systemd/system.slice"];

    /// <summary>How long the layout found (or not found) is taken as it is: it changes only with a reboot.</summary>
    private static readonly TimeSpan _layoutKept = TimeSpan.FromMinutes(5);

    /// <summary>The unit each runner's <c>.service</c> names, kept while that file (and its set-aside copy) is as it was.</summary>
    private readonly FileStampCache<string?> _units = new(fileSystem);

    private readonly bool _keepLayout = UnixFileStatus.IsReal(fileSystem);
    private (string? Slice, long At)? _layout;

    public ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Observe(runner));
    }

    private ExpiryObservation Observe(RunnerContext runner)
    {
        var settings = options.Value;
        if (settings.UserUnits)
        {
            return ExpiryObservation.Unknown(SourceName, "a user unit's state is not read (Systemd:UserUnits)");
        }

        string? unit;
        try
        {
            unit = FindUnit(settings, runner);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The unit check says what is wrong with .service, once, where the operator looks; not again here.
            return ExpiryObservation.Unknown(SourceName, $"no usable unit name in {RunnerFiles.Service}");
        }

        if (unit is null)
        {
            return ExpiryObservation.Unknown(SourceName, "no unit is known for the runner");
        }

        var slice = Slice();
        if (slice is null)
        {
            return ExpiryObservation.Unknown(SourceName, $"no system.slice under {cgroupRoot}: the unit's state is not read here");
        }

        var folder = fileSystem.Path.Combine(slice, unit);
        return fileSystem.Directory.Exists(folder)
            ? ExpiryObservation.Unknown(SourceName, $"{unit} has processes ({folder})")
            : ExpiryObservation.Doubtful(SourceName, $"{unit} is not running (no {folder})");
    }

    private string? FindUnit(SystemdOptions settings, RunnerContext runner)
    {
        // A unit named in .service is all that counts; the set-aside copy only when .service is gone.
        var service = fileSystem.Path.Combine(runner.Directory, RunnerFiles.Service);
        var stamps = _units.StampAll(service);
        if (stamps is [null])
        {
            stamps = [null, .. _units.StampAll(fileSystem.Path.Combine(runner.Directory, RunnerFiles.ServiceAside))];
        }

        if (_units.TryGet(runner.Directory, stamps, out var unit))
        {
            return unit;
        }

        string origin;
        (unit, origin) = ServiceUnit.Find(fileSystem, settings, runner);
        if (stamps is [not null] && !string.Equals(origin, service, StringComparison.Ordinal))
        {
            // .service is there but named nothing (empty): the set-aside copy was read too, and is not stamped.
            return unit;
        }

        _units.Set(runner.Directory, stamps, unit);
        return unit;
    }

    /// <summary>The folder of system units' cgroups, looked for again every few minutes, not at each check of each runner.</summary>
    private string? Slice()
    {
        var now = Environment.TickCount64;
        if (_keepLayout && _layout is { } layout && now - layout.At < (long)_layoutKept.TotalMilliseconds)
        {
            return layout.Slice;
        }

        var slice = _slices.Select(s => fileSystem.Path.Combine(cgroupRoot, s)).FirstOrDefault(fileSystem.Directory.Exists);
        _layout = (slice, now);
        return slice;
    }
}

using System.IO.Abstractions;

namespace RunnerTokens.Systemd;

/// <summary>Finds a runner's systemd unit: the option for the runner, else the name <c>svc.sh install</c> wrote to <c>.service</c>.</summary>
internal static class ServiceUnit
{
    /// <summary>The names <c>svc.sh install</c> gives, the only ones taken from <c>.service</c>.</summary>
    public const string RunnerUnitPattern = "actions.runner.*.service";

    /// <summary>What to do about a <c>.service</c> that names a unit that is not allowed, for a message.</summary>
    public static string Remedy(RunnerContext runner) =>
        $"fix {RunnerFiles.Service} in {runner.Directory} (svc.sh install writes the unit's name there), or set Systemd:Units:{runner.Name} to the runner's unit";

    /// <summary>Whether <paramref name="unit"/> can only be read by systemctl as one unit name: not empty, no space or control character, no '/', no leading '-'.</summary>
    public static bool IsValidName(string? unit) =>
        !string.IsNullOrWhiteSpace(unit)
        && !unit.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && !unit.Contains('/', StringComparison.Ordinal)
        && !unit.StartsWith('-');

    /// <summary>Whether <paramref name="unit"/> is named as <c>svc.sh install</c> names a runner's unit.</summary>
    public static bool IsRunnerUnit(string unit) =>
        unit.Length > "actions.runner..service".Length
        && unit.StartsWith("actions.runner.", StringComparison.Ordinal)
        && unit.EndsWith(".service", StringComparison.Ordinal);

    /// <summary>The unit, and where its name came from; a null unit means the runner is not a service.</summary>
    /// <exception cref="InvalidDataException"><c>.service</c> names a unit that is not allowed (its path and value are in the message).</exception>
    /// <summary>
    /// <see cref="Find"/> for a preflight check: a <c>.service</c> naming a bad unit is the check's failed result,
    /// titled <paramref name="title"/>, that blocks every refresh.
    /// </summary>
    public static (string? Unit, string Origin, PreflightResult? Failure) FindForCheck(IFileSystem fileSystem, SystemdOptions options, RunnerContext runner, string title)
    {
        try
        {
            var (unit, origin) = Find(fileSystem, options, runner);
            return (unit, origin, null);
        }
        catch (InvalidDataException ex)
        {
            return (null, string.Empty, PreflightResult.Failed(title, ex.Message, Remedy(runner), blocksRefresh: true));
        }
    }

    public static (string? Unit, string Origin) Find(IFileSystem fileSystem, SystemdOptions options, RunnerContext runner)
    {
        // By name, or by directory: a host may know a runner only by its folder until .runner has named it.
        foreach (var key in new[] { runner.Name, runner.Directory })
        {
            if (options.Units.TryGetValue(key, out var configured) && !string.IsNullOrWhiteSpace(configured))
            {
                return (configured.Trim(), $"option Systemd:Units:{key}");
            }
        }

        // Never recompute the name: svc.sh cuts long names and adds a random suffix; only .service knows.
        foreach (var name in new[] { RunnerFiles.Service, RunnerFiles.ServiceAside })
        {
            var path = fileSystem.Path.Combine(runner.Directory, name);
            if (fileSystem.File.Exists(path))
            {
                var unit = fileSystem.File.ReadAllText(path).Trim();
                if (unit.Length > 0)
                {
                    // The file is in a folder the runner's jobs may write: what it names is stopped and started, so
                    // it must be a runner unit as svc.sh names one (a name given in the options is the operator's word).
                    return IsValidName(unit) && IsRunnerUnit(unit)
                        ? (unit, path)
                        : throw new InvalidDataException(
                            $"{path} names the unit '{unit}', which is not allowed: a unit read from {RunnerFiles.Service} has no spaces or '/', does not start with '-', and matches {RunnerUnitPattern}, as svc.sh install names it");
                }
            }
        }

        return (null, $"no {RunnerFiles.Service} in {runner.Directory} and no Systemd:Units:{runner.Name} option");
    }
}

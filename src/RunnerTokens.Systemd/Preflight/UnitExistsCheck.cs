using System.IO.Abstractions;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// The runner's unit (from <see cref="SystemdOptions.Units"/> or <c>.service</c>) is known to systemd:
/// <c>systemctl [--user] show -p LoadState --value UNIT</c>, which needs no privilege and so no prefix.
/// </summary>
internal sealed class UnitExistsCheck(IOptions<SystemdOptions> options, IFileSystem fileSystem, CommandRunner commands) : IRunnerPreflightCheck
{
    public bool GuardsRefresh => false;

    public async ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var settings = options.Value;
        var (unit, origin, failure) = ServiceUnit.FindForCheck(fileSystem, settings, runner, "the runner's unit exists");
        if (failure is not null)
        {
            return [failure];
        }

        if (unit is null)
        {
            return [PreflightResult.Unknown(
                "the runner's unit exists",
                $"{origin}: the runner is re-registered without stopping or starting a unit",
                $"install the runner as a service (sudo ./svc.sh install in {runner.Directory}), or set Systemd:Units:{runner.Name} to its unit")];
        }

        var title = $"unit {unit} exists";
        var arguments = new List<string>();
        if (settings.UserUnits)
        {
            arguments.Add("--user");
        }

        arguments.AddRange(["show", "-p", "LoadState", "--value", unit]);
        var outcome = await commands.RunAsync(
            new CommandSpec(settings.SystemctlPath, arguments, CommandSpec.NoEnvironment, []),
            settings.SystemctlTimeout,
            new SecretMasker(),
            cancellationToken).ConfigureAwait(false);
        var state = outcome.Succeeded ? outcome.Output.Trim().Split('\n')[0].Trim() : null;
        return state switch
        {
            "loaded" => [PreflightResult.Ok(title, $"from {origin}")],
            null => [PreflightResult.Unknown(title, $"cannot ask systemd: {outcome.Describe()}", "set SYSTEMCTL_PATH (Systemd:SystemctlPath) to systemctl, or SYSTEMCTL_USER for user units")],
            _ => [PreflightResult.Failed(
                title,
                $"systemd says its load state is '{state}' (the name is from {origin})",
                settings.UserUnits
                    ? $"install the unit for this user, or fix the name in {origin}; clear SYSTEMCTL_USER if it is a system unit"
                    : $"install the unit (sudo ./svc.sh install in {runner.Directory}), or fix the name in {origin}; set SYSTEMCTL_USER if it is a user unit",
                blocksRefresh: true)],
        };
    }
}

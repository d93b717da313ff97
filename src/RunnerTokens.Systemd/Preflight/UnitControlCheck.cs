using System.IO.Abstractions;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// This user may stop and start the runner's unit, asked without doing it: a user unit or root may; with a
/// <c>sudo</c> prefix, <c>sudo -n -l systemctl stop|start UNIT</c> (never under no-new-privileges, where sudo cannot
/// work); without a prefix, polkit (<c>pkcheck</c> for <c>org.freedesktop.systemd1.manage-units</c> with the unit and
/// verb). Guards every refresh: the engine runs it before it fetches a registration token.
/// </summary>
internal sealed class UnitControlCheck(IOptions<SystemdOptions> options, IFileSystem fileSystem, CommandRunner commands, ProcessIdentity identity) : IRunnerPreflightCheck
{
    public const string ManageUnitsAction = "org.freedesktop.systemd1.manage-units";

    /// <summary>What to do when sudo cannot or will not: the polkit way, which works under the unit's hardening.</summary>
    public const string PolkitRemedy = "install deploy/50-runner-token-refresh.rules and clear SYSTEMCTL_PREFIX (README: Install)";

    public bool GuardsRefresh => true;

    public async ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var settings = options.Value;
        var (unit, origin, failure) = ServiceUnit.FindForCheck(fileSystem, settings, runner, "may stop and start the runner's unit");
        if (failure is not null)
        {
            return [failure];
        }

        if (unit is null)
        {
            return [PreflightResult.Ok("may stop and start the runner's unit", $"nothing to stop or start ({origin})")];
        }

        var title = $"may stop and start {unit}";
        if (settings.UserUnits)
        {
            return [PreflightResult.Ok(title, "a user unit, run by this user's own systemd")];
        }

        if (identity.IsRoot)
        {
            return [PreflightResult.Ok(title, "running as root")];
        }

        var prefix = (settings.SystemctlPrefix ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (prefix.Length > 0)
        {
            return string.Equals(Path.GetFileName(prefix[0]), "sudo", StringComparison.Ordinal)
                ? [await CheckSudoAsync(settings, prefix, unit, title, cancellationToken).ConfigureAwait(false)]
                : [PreflightResult.Unknown(title, $"cannot tell what SYSTEMCTL_PREFIX '{settings.SystemctlPrefix}' allows")];
        }

        return [await CheckPolkitAsync(settings, unit, title, cancellationToken).ConfigureAwait(false)];
    }

    private async Task<PreflightResult> CheckSudoAsync(SystemdOptions settings, string[] prefix, string unit, string title, CancellationToken cancellationToken)
    {
        if (identity.NoNewPrivileges)
        {
            return PreflightResult.Failed(
                title,
                "sudo cannot work under no-new-privileges (this process has NoNewPrivs set: the unit sets NoNewPrivileges= or a setting that implies it)",
                PolkitRemedy,
                blocksRefresh: true);
        }

        foreach (var verb in (string[])[SystemctlCommands.Stop, SystemctlCommands.Start])
        {
            // The prefix's own words, then -n (never wait for a password) and -l: sudo says whether the policy allows the
            // command, and runs nothing.
            List<string> arguments = [.. prefix.Skip(1).Where(word => word is not "-n" and not "--non-interactive"), "-n", "-l", settings.SystemctlPath, verb, unit];
            var outcome = await RunAsync(settings, new CommandSpec(prefix[0], arguments, CommandSpec.NoEnvironment, []), cancellationToken).ConfigureAwait(false);
            if (outcome.StartError is not null || outcome.TimedOutAfter is not null)
            {
                return PreflightResult.Unknown(title, $"cannot ask sudo: {outcome.Describe()}");
            }

            if (outcome.ExitCode != 0)
            {
                var why = outcome.Output.Contains("no new privileges", StringComparison.OrdinalIgnoreCase)
                    ? "sudo cannot work under no-new-privileges"
                    : $"sudo refuses `{settings.SystemctlPath} {verb} {unit}`";
                return PreflightResult.Failed(
                    title,
                    $"{why}: {FirstLine(outcome.Output)}",
                    $"{PolkitRemedy}; or allow this user `{settings.SystemctlPath} stop {unit}` and `start {unit}` without a password in sudoers",
                    blocksRefresh: true);
            }
        }

        return PreflightResult.Ok(title, "sudo allows stop and start (sudo -n -l)");
    }

    private async Task<PreflightResult> CheckPolkitAsync(SystemdOptions settings, string unit, string title, CancellationToken cancellationToken)
    {
        // Looked up on the PATH the command gets, as CommandRunner does; a name it does not find there is not installed.
        var environment = commands.BuildEnvironment(new CommandSpec("pkcheck", [], CommandSpec.NoEnvironment, []));
        var pkcheck = CommandRunner.ResolveProgram("pkcheck", environment.TryGetValue("PATH", out var path) ? path : null);
        if (!pkcheck.Contains('/', StringComparison.Ordinal))
        {
            return NoPkcheck(title);
        }

        foreach (var verb in (string[])[SystemctlCommands.Stop, SystemctlCommands.Start])
        {
            var spec = new CommandSpec(
                pkcheck,
                ["--action-id", ManageUnitsAction, "--process", identity.PolkitProcess, "--detail", "unit", unit, "--detail", "verb", verb],
                CommandSpec.NoEnvironment,
                []);
            var outcome = await RunAsync(settings, spec, cancellationToken).ConfigureAwait(false);
            if (outcome.StartError is not null)
            {
                return NoPkcheck(title);
            }

            if (outcome.TimedOutAfter is not null)
            {
                return PreflightResult.Unknown(title, $"cannot tell: {outcome.Describe()}");
            }

            // pkcheck(1): 0 authorized; 1 not authorized; 2 only with authentication, which no one gives a service;
            // 3 authentication dismissed; 126 a malformed command line and 127 an error (polkit unreachable): cannot tell.
            switch (outcome.ExitCode)
            {
                case 0:
                    continue;
                case 1 or 2 or 3:
                    return PreflightResult.Failed(
                        title,
                        $"polkit does not allow this user to {verb} it{(outcome.ExitCode == 1 ? string.Empty : " without a password")}: {FirstLine(outcome.Output)}",
                        PolkitRemedy,
                        blocksRefresh: true);
                default:
                    return PreflightResult.Unknown(title, $"cannot ask polkit: {outcome.Describe()}", "start polkit (systemctl status polkit), or run the check as the service's user");
            }
        }

        return PreflightResult.Ok(title, "polkit allows stop and start");
    }

    private static PreflightResult NoPkcheck(string title) => PreflightResult.Unknown(
        title,
        "cannot tell: pkcheck (polkit) is not installed, and neither root nor SYSTEMCTL_PREFIX applies",
        "install polkit and deploy/50-runner-token-refresh.rules, or set SYSTEMCTL_PREFIX='sudo -n' with a sudoers rule");

    private Task<CommandOutcome> RunAsync(SystemdOptions settings, CommandSpec spec, CancellationToken cancellationToken) =>
        commands.RunAsync(spec, settings.SystemctlTimeout, new SecretMasker(), cancellationToken);

    private static string FirstLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no output)";
}

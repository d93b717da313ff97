using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// <c>config.sh remove --local</c>: deletes the local registration files with no server call, so GitHub keeps the
/// runner and its id for the configure step's <c>--replace</c>, and a configure that fails changes nothing on GitHub.
/// Only for an explicit rename or scope change, <c>config.sh remove</c> with a remove token deletes the old runner on
/// the server (it would otherwise stay there, offline, under its old name); its failure fails the step.
/// </summary>
internal sealed class RemoveRegistrationStep(IOptions<SystemdOptions> options, CommandRunner commands, ITokenIssuer? tokenIssuer = null) : ReconfigurationStep
{
    public override string Name => "remove";

    public override RepairRule Repair => RepairRule.RestoreOldRegistration;

    public override string Describe(ReconfigurationRun run)
    {
        var settings = options.Value;
        var previous = Previous(run);
        if (!run.RequiredRegistration.Renames)
        {
            return $"{ConfigScript.RemoveLocal(run.Runner.Directory, settings)}   (local files only, no server call: GitHub keeps {previous} for --replace)";
        }

        return $"{ConfigScript.RemoveOnServer(run.Runner.Directory, settings, removeToken: null)}   (rename: deletes {previous} on the server, with a remove token for {OldScope(run).DisplayName}{(tokenIssuer is null ? "; but no ITokenIssuer is registered to issue one" : string.Empty)})";
    }

    public override async Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        CommandOutcome outcome;
        if (!run.RequiredRegistration.Renames)
        {
            outcome = await commands.RunAsync(ConfigScript.RemoveLocal(run.Runner.Directory, settings), settings.ConfigTimeout, run.Masker, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var issuer = tokenIssuer ?? throw new StepFailedException(
                $"renaming needs the old runner {Previous(run)} deleted on the server, with a remove token, and no ITokenIssuer is registered (add AddGitHub())")
            {
                Kind = RefreshFailureKind.Permanent,
            };
            RegistrationToken removeToken;
            try
            {
                removeToken = await issuer.CreateRemoveTokenAsync(OldScope(run), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw new StepFailedException($"no remove token for {OldScope(run).DisplayName}: {run.Masker.Apply(ex.Message)}", ex)
                {
                    Kind = RunnerRefreshException.KindOf(ex),
                };
            }

            run.Masker.Add(removeToken.Token);
            outcome = await commands.RunAsync(ConfigScript.RemoveOnServer(run.Runner.Directory, settings, removeToken.Token), settings.ConfigTimeout, run.Masker, cancellationToken).ConfigureAwait(false);
        }

        if (!outcome.Succeeded)
        {
            throw new StepFailedException(outcome, ConfigScript.RootHint(outcome, settings));
        }
    }

    /// <summary>The scope the old registration is in: its <c>gitHubUrl</c>, else the runner's.</summary>
    private static RunnerScope OldScope(ReconfigurationRun run) =>
        RunnerScope.TryParse(run.Previous?.GitHubUrl, out var scope, out _) ? scope : run.Runner.Scope;

    private static string Previous(ReconfigurationRun run) => run.Previous is { } previous
        ? $"'{previous.AgentName}'{(previous.AgentId is { } id ? $" (id {id})" : string.Empty)}"
        : $"the runner ({RunnerFiles.Runner} is missing or unreadable)";
}

namespace RunnerTokens.Systemd;

/// <summary>
/// Builds the runner's <c>config.sh</c> commands. The token goes only into <c>ACTIONS_RUNNER_INPUT_TOKEN</c>, which
/// config.sh reads as its <c>--token</c> option and clears: never into the arguments, which any local user can read.
/// </summary>
internal static class ConfigScript
{
    public const string FileName = "config.sh";
    public const string InputVariablePrefix = "ACTIONS_RUNNER_INPUT_";
    public const string TokenVariable = InputVariablePrefix + "TOKEN";
    public const string AllowRunAsRootVariable = "RUNNER_ALLOW_RUNASROOT";

    public static CommandSpec Remove(RunnerContext runner, SystemdOptions options, bool local, string? removeToken)
    {
        var environment = BaseEnvironment(options);
        if (!local)
        {
            environment[TokenVariable] = removeToken ?? SecretMasker.Mask;
        }

        string[] arguments = local ? ["remove", "--local"] : ["remove"];
        return Build(runner, arguments, environment);
    }

    /// <param name="runner">The runner.</param>
    /// <param name="options">The package's options.</param>
    /// <param name="previous">The registration being replaced.</param>
    /// <param name="labels">The custom labels: the runner's own <see cref="RunnerContext.Labels"/>, else those a label source knew; none passes no <c>--labels</c>.</param>
    /// <param name="registrationToken">The token; null shows it masked, for a plan.</param>
    public static CommandSpec Configure(RunnerContext runner, SystemdOptions options, RunnerRegistration previous, IReadOnlyList<string> labels, string? registrationToken)
    {
        var environment = BaseEnvironment(options);
        environment[TokenVariable] = registrationToken ?? SecretMasker.Mask;

        var arguments = new List<string> { "--unattended", "--url", runner.Url, "--name", runner.Name, "--replace" };
        if (labels.Count > 0)
        {
            arguments.Add("--labels");
            arguments.Add(string.Join(',', labels));
        }

        if (RunnerGroup(runner, previous) is { } group)
        {
            arguments.Add("--runnergroup");
            arguments.Add(group);
        }

        arguments.Add("--work");
        arguments.Add(previous.WorkFolder ?? RunnerRegistration.DefaultWorkFolder);
        if (runner.Ephemeral)
        {
            arguments.Add("--ephemeral");
        }

        if (runner.DisableUpdate)
        {
            arguments.Add("--disableupdate");
        }

        return Build(runner, arguments, environment);
    }

    /// <summary>
    /// The group from the options, else the one the runner was in. The runner keeps its group as the agent pool:
    /// <c>config.sh --runnergroup G</c> writes G's pool as <c>poolName</c> in <c>.runner</c> (actions/runner
    /// ConfigurationManager). Repository runners have no groups, so none is passed for them.
    /// </summary>
    public static string? RunnerGroup(RunnerContext runner, RunnerRegistration previous) =>
        runner.RunnerGroup
        ?? (runner.Scope.Kind == RunnerScopeKind.Repository ? null : previous.PoolName);

    private static Dictionary<string, string?> BaseEnvironment(SystemdOptions options)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (options.AllowRunAsRoot)
        {
            environment[AllowRunAsRootVariable] = "1";
        }

        return environment;
    }

    private static CommandSpec Build(RunnerContext runner, IReadOnlyList<string> arguments, Dictionary<string, string?> environment) =>
        new(Path.Combine(runner.Directory, FileName), arguments, environment, [TokenVariable])
        {
            WorkingDirectory = runner.Directory,
        };
}

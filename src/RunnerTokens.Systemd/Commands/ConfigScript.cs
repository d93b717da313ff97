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

    /// <summary>The work folder config.sh uses when <c>--work</c> is not given.</summary>
    public const string DefaultWorkFolder = "_work";

    /// <summary><c>config.sh remove --local</c>: deletes the local registration files, with no server call.</summary>
    public static CommandSpec RemoveLocal(string runnerDirectory, SystemdOptions options) =>
        Build(runnerDirectory, ["remove", "--local"], BaseEnvironment(options));

    /// <summary><c>config.sh remove</c> with a remove token: deletes the runner on the server too.</summary>
    /// <param name="runnerDirectory">The runner directory.</param>
    /// <param name="options">The package's options.</param>
    /// <param name="removeToken">The token; null shows it masked, for a plan.</param>
    public static CommandSpec RemoveOnServer(string runnerDirectory, SystemdOptions options, string? removeToken)
    {
        var environment = BaseEnvironment(options);
        environment[TokenVariable] = removeToken ?? SecretMasker.Mask;
        return Build(runnerDirectory, ["remove"], environment);
    }

    /// <summary>Registers the runner with every setting of <paramref name="registration"/>, replacing a runner of the same name.</summary>
    /// <param name="runnerDirectory">The runner directory.</param>
    /// <param name="options">The package's options.</param>
    /// <param name="registration">Every setting to repeat, as the engine resolved them.</param>
    /// <param name="registrationToken">The token; null shows it masked, for a plan.</param>
    public static CommandSpec Configure(string runnerDirectory, SystemdOptions options, RunnerRegistration registration, string? registrationToken)
    {
        var environment = BaseEnvironment(options);
        environment[TokenVariable] = registrationToken ?? SecretMasker.Mask;

        var arguments = new List<string> { "--unattended", "--url", registration.Url, "--name", registration.Name, "--replace" };
        if (registration.LabelsKnown && registration.Labels.Count > 0)
        {
            arguments.Add("--labels");
            arguments.Add(string.Join(',', registration.Labels));
        }

        if (registration.NoDefaultLabels)
        {
            arguments.Add("--no-default-labels");
        }

        if (!string.IsNullOrWhiteSpace(registration.RunnerGroup))
        {
            arguments.Add("--runnergroup");
            arguments.Add(registration.RunnerGroup);
        }

        arguments.Add("--work");
        arguments.Add(string.IsNullOrWhiteSpace(registration.WorkFolder) ? DefaultWorkFolder : registration.WorkFolder);
        if (registration.Ephemeral)
        {
            arguments.Add("--ephemeral");
        }

        if (registration.DisableUpdate)
        {
            arguments.Add("--disableupdate");
        }

        if (!string.IsNullOrWhiteSpace(registration.MonitorSocketAddress))
        {
            arguments.Add("--monitorsocketaddress");
            arguments.Add(registration.MonitorSocketAddress);
        }

        return Build(runnerDirectory, arguments, environment);
    }

    /// <summary>A hint for the error message when config.sh refused to run as root, or may have.</summary>
    public static string RootHint(CommandOutcome outcome, SystemdOptions options) =>
        outcome.Output.Contains("Must not run with sudo", StringComparison.OrdinalIgnoreCase)
        || (System.Environment.IsPrivilegedProcess && !options.AllowRunAsRoot)
            ? $" (config.sh runs as root here: it refuses unless {AllowRunAsRootVariable} is set; set Systemd:AllowRunAsRoot=true, or run the refresher as the runner's user)"
            : string.Empty;

    /// <summary>
    /// Only <c>RUNNER_ALLOW_RUNASROOT=1</c>, and only when allowed: config.sh lets root run for any non-empty value,
    /// <c>0</c> included, so the variable is absent otherwise (the inherited one is removed, <see cref="InheritedEnvironment"/>).
    /// </summary>
    private static Dictionary<string, string?> BaseEnvironment(SystemdOptions options)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (options.AllowRunAsRoot)
        {
            environment[AllowRunAsRootVariable] = "1";
        }

        return environment;
    }

    private static CommandSpec Build(string runnerDirectory, IReadOnlyList<string> arguments, Dictionary<string, string?> environment) =>
        new(Path.Combine(runnerDirectory, FileName), arguments, environment, [TokenVariable])
        {
            WorkingDirectory = runnerDirectory,
            Summary = arguments[0] == "remove" ? $"{FileName} remove" : $"{FileName} configure",
        };
}

namespace RunnerTokens.TestKit.Runner;

/// <summary>One run of the fake <c>config.sh</c>, as it recorded it.</summary>
/// <param name="Arguments">Its command line (argv after the script name).</param>
/// <param name="TokenFromEnvironment">Whether <c>ACTIONS_RUNNER_INPUT_TOKEN</c> (any case) held a token in its environment.</param>
/// <param name="AllowRunAsRoot">Whether <c>RUNNER_ALLOW_RUNASROOT</c> was non-empty (any value, <c>0</c> included, lets root run it).</param>
/// <param name="Token">The token it received (from <c>--token</c> or the environment); empty when none.</param>
public sealed record ConfigShCall(IReadOnlyList<string> Arguments, bool TokenFromEnvironment, bool AllowRunAsRoot, string Token)
{
    /// <summary>Gets the value of <c>RUNNER_ALLOW_RUNASROOT</c> (not a secret), or null when it was not set at all.</summary>
    public string? AllowRunAsRootValue { get; init; }

    /// <summary>
    /// Gets the names (never the values) of the sensitive or option-carrying variables that were set:
    /// <c>GITHUB_TOKEN</c>, <c>GH_TOKEN</c>, <c>GITHUB_ACTIONS_RUNNER_HTTPTRACE</c> and every
    /// <c>ACTIONS_RUNNER_INPUT_*</c> other than the token.
    /// </summary>
    public IReadOnlyList<string> EnvironmentNames { get; init; } = [];

    /// <summary>Gets <c>remove</c> or <c>configure</c>.</summary>
    public string Command => Arguments.Count > 0 && Arguments[0].Equals("remove", StringComparison.OrdinalIgnoreCase) ? "remove" : "configure";

    /// <summary>Gets the command line as one string, for assertions and messages.</summary>
    public string CommandLine => string.Join(' ', Arguments);

    /// <summary>Gets the value after <paramref name="option"/>, or null.</summary>
    public string? ValueOf(string option)
    {
        var index = Arguments.ToList().IndexOf(option);
        return index >= 0 && index + 1 < Arguments.Count ? Arguments[index + 1] : null;
    }
}

namespace RunnerTokens.TestKit.Runner;

/// <summary>One run of the fake <c>config.sh</c>, as it recorded it.</summary>
/// <param name="Arguments">Its command line (argv after the script name).</param>
/// <param name="TokenFromEnvironment">Whether <c>ACTIONS_RUNNER_INPUT_TOKEN</c> was set in its environment.</param>
/// <param name="AllowRunAsRoot">Whether <c>RUNNER_ALLOW_RUNASROOT</c> was set.</param>
/// <param name="Token">The token it received (from the environment or <c>--token</c>); empty when none.</param>
public sealed record ConfigShCall(IReadOnlyList<string> Arguments, bool TokenFromEnvironment, bool AllowRunAsRoot, string Token)
{
    /// <summary>Gets <c>remove</c> or <c>configure</c>.</summary>
    public string Command => Arguments.Count > 0 && Arguments[0] == "remove" ? "remove" : "configure";

    /// <summary>Gets the command line as one string, for assertions and messages.</summary>
    public string CommandLine => string.Join(' ', Arguments);

    /// <summary>Gets the value after <paramref name="option"/>, or null.</summary>
    public string? ValueOf(string option)
    {
        var index = Arguments.ToList().IndexOf(option);
        return index >= 0 && index + 1 < Arguments.Count ? Arguments[index + 1] : null;
    }
}

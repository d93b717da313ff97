namespace RunnerTokens.Systemd;

/// <summary>
/// Whether a failed config.sh or systemctl run can work when tried again, from what the tool said. Only words that
/// mean "nothing changes until someone fixes something" make it permanent; a timeout, a crash or anything unknown
/// stays transient and is retried.
/// </summary>
internal static class CommandFailure
{
    /// <summary>What config.sh and systemctl print when only a change by an operator helps.</summary>
    private static readonly string[] PermanentWords =
    [
        // config.sh as root without RUNNER_ALLOW_RUNASROOT (config.sh checks the uid before anything else).
        "Must not run with sudo",

        // config.sh --runnergroup naming a group the scope does not have, or a scope without self-hosted groups.
        "Could not find any self-hosted runner group",

        // systemctl refused by polkit, or without a way to ask (no agent, NoNewPrivileges).
        "Access denied",
        "Interactive authentication required",

        // systemctl for a unit that is not installed ("Failed to start x.service: Unit x.service not found.").
        ".service not found",
        ".service not loaded",
    ];

    public static RefreshFailureKind KindOf(CommandOutcome outcome)
    {
        if (outcome.TimedOutAfter is not null)
        {
            return RefreshFailureKind.Transient;
        }

        // A tool that cannot start (missing, not executable) stays that way until someone fixes it.
        if (outcome.StartError is not null)
        {
            return RefreshFailureKind.Permanent;
        }

        foreach (var words in PermanentWords)
        {
            if (outcome.Output.Contains(words, StringComparison.OrdinalIgnoreCase))
            {
                return RefreshFailureKind.Permanent;
            }
        }

        return RefreshFailureKind.Transient;
    }
}

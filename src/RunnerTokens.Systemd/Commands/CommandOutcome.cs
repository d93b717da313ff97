using System.Globalization;

namespace RunnerTokens.Systemd;

/// <summary>How a command ended: its exit code and the tail of its output (secrets masked), or why it did not end.</summary>
internal sealed record CommandOutcome(string Command, int ExitCode, string Output)
{
    /// <summary>Gets the time limit that stopped the command, when it ran out.</summary>
    public TimeSpan? TimedOutAfter { get; init; }

    /// <summary>Gets how long the command, once killed, was waited for before it was left behind: its end was never seen.</summary>
    public TimeSpan? AbandonedAfter { get; init; }

    /// <summary>Gets the process left behind, when <see cref="AbandonedAfter"/> is set.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Gets why the command could not start, when it could not.</summary>
    public string? StartError { get; init; }

    public bool Succeeded => ExitCode == 0 && TimedOutAfter is null && StartError is null;

    /// <summary>The command and how it ended, with its own output, for an error message.</summary>
    public string Describe()
    {
        var how = StartError is not null
            ? $"could not start: {StartError}"
            : TimedOutAfter is { } limit
                ? AbandonedAfter is { } grace
                    ? string.Create(CultureInfo.InvariantCulture, $"did not finish within {limit.TotalSeconds:0.###} s and was killed, but its end was not seen within {grace.TotalSeconds:0.###} s more; left behind (process {ProcessId})")
                    : string.Create(CultureInfo.InvariantCulture, $"did not finish within {limit.TotalSeconds:0.###} s and was killed")
                : string.Create(CultureInfo.InvariantCulture, $"exited with code {ExitCode}");
        var output = Output.Trim();
        return output.Length == 0 ? $"`{Command}` {how} (no output)" : $"`{Command}` {how}: {output}";
    }
}

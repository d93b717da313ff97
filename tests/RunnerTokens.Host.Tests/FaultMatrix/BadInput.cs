namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// One bad input as an operator gives it, and what the run must show. In <see cref="Args"/>, <see cref="Environment"/>
/// and <see cref="Shows"/>, <c>{root}</c> stands for the machine's temp folder and <c>{runner}</c> for the runner folder.
/// </summary>
/// <param name="Id">The matrix row's id.</param>
/// <param name="What">The input, in an operator's words (the README table's first column).</param>
/// <param name="Expected">What happens (the README table's second column).</param>
internal sealed record BadInput(string Id, string What, string Expected)
{
    public const string CheckAndRefresh = "--check-and-refresh";
    public const string Daemon = "--daemon";
    public const string Health = "--health";
    public const string CheckConfig = "--check-config";

    /// <summary>Gets the flags after the mode. Without <c>--runner-dir</c> (flag or variable) the machine's runner folder is given; likewise the fake GitHub's <c>--api-url</c>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Gets the variables set (a null value removes one) over <see cref="EndToEnd.Environment"/>.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Gets what is done to the machine before the runs (a bad file written).</summary>
    public Action<EndToEnd>? Arrange { get; init; }

    /// <summary>Gets the modes the input is tried in: one process run each.</summary>
    public IReadOnlyList<string> Modes { get; init; } = [CheckAndRefresh];

    /// <summary>Gets what the one line that explains the refusal holds: the setting as typed, the value, what is allowed.</summary>
    public IReadOnlyList<string> Shows { get; init; } = [];

    /// <summary>Gets what the output must not hold (an accepted input reported as a problem).</summary>
    public IReadOnlyList<string> Hides { get; init; } = [];

    /// <summary>Gets the exit code of every run.</summary>
    public int ExitCode { get; init; } = 2;

    /// <summary>
    /// Gets the exit code of <c>--check-and-refresh</c> when it differs: a runner's own file that is wrong (one runner
    /// among several) fails that runner's refresh (1), not the whole command.
    /// </summary>
    public int? OneShotExitCode { get; init; }

    /// <summary>The exit code a run in <paramref name="mode"/> must end with.</summary>
    public int ExitCodeIn(string mode) => mode == CheckAndRefresh && OneShotExitCode is { } oneShot ? oneShot : ExitCode;

    public override string ToString() => Id;
}

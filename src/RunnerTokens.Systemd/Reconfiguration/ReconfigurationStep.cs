using System.Globalization;

namespace RunnerTokens.Systemd;

/// <summary>
/// One step of a re-registration. It does its work, describes itself (the dry-run plan and the log line when it
/// starts are that same text, secrets masked), and says what the repair must do when the sequence stops at it: after
/// a failure, a cancellation, or a crash found in the journal, which records the step's <see cref="Name"/> before it starts.
/// </summary>
internal abstract class ReconfigurationStep
{
    /// <summary>Gets the step's name in the journal, the logs and error messages; never changes between versions.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what the repair does with the registration files when the sequence stopped at this step.</summary>
    public abstract RepairRule Repair { get; }

    /// <summary>What the step does for <paramref name="run"/>, as one line: the commands as they run, tokens as <c>***</c>.</summary>
    public abstract string Describe(ReconfigurationRun run);

    /// <summary>Does the step. Throws <see cref="StepFailedException"/> (the tool's own words, masked) when it fails.</summary>
    public abstract Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken);

    protected static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");
}

/// <summary>What the repair does with the registration when a re-registration stopped at a step.</summary>
internal enum RepairRule
{
    /// <summary>Nothing had changed: drop the journal and the backup.</summary>
    NothingChanged,

    /// <summary>The old registration was not yet replaced: restore every backed-up file byte for byte.</summary>
    RestoreOldRegistration,

    /// <summary>
    /// config.sh may have finished: a complete new registration under the name registered is kept (its
    /// <c>--replace</c> replaced the old one on GitHub, so the old credentials are dead); anything less is replaced by
    /// the old files.
    /// </summary>
    KeepCompleteNewRegistration,
}

namespace RunnerTokens.Host.Logging;

/// <summary>The options of <see cref="OperatorConsoleFormatter"/>.</summary>
internal sealed class OperatorConsoleFormatterOptions
{
    /// <summary>Gets or sets whether lines show category and event id, and every stack trace (Debug level or below).</summary>
    public bool Verbose { get; set; }

    /// <summary>Gets or sets whether standard output goes to the journal: a priority prefix instead of a timestamp.</summary>
    public bool Journal { get; set; }
}

namespace RunnerTokens.Systemd;

/// <summary>
/// The custom labels a re-registration passes to <c>config.sh --labels</c>, and where they come from: the runner's
/// options, else the first <see cref="IRunnerLabelSource"/> that knows them (asked before the runner is removed, as
/// GitHub no longer lists it afterwards). <see cref="Known"/> is false when nobody knows: the runner then gets the
/// default labels only, as <c>config.sh</c> gives without <c>--labels</c>.
/// </summary>
internal sealed record LabelChoice(IReadOnlyList<string> Labels, string? Origin, IReadOnlyList<string> Failures)
{
    public bool Known => Origin is not null;

    /// <summary>Why the labels are what they are, for the log and the dry-run plan; null when the options list them.</summary>
    public string? Note(RunnerContext runner)
    {
        if (runner.Labels.Count > 0)
        {
            return null;
        }

        var failed = Failures.Count == 0 ? string.Empty : $" ({string.Join("; ", Failures)})";
        if (!Known)
        {
            return $"no labels are configured and no label source knows the runner's{failed}: the runner is registered with the default labels only; custom labels it had on GitHub are not kept (set the runner's Labels)";
        }

        return Labels.Count == 0
            ? $"no labels are configured; {Origin} says the runner has no custom labels: it is registered with the default labels"
            : $"no labels are configured; keeps the custom labels {string.Join(',', Labels)} from {Origin}";
    }
}

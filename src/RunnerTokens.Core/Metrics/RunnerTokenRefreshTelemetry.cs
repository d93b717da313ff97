using System.Diagnostics;

namespace RunnerTokens;

/// <summary>
/// The names of the refresh engine's telemetry, for OpenTelemetry's <c>AddMeter</c> and <c>AddSource</c>, or any
/// <see cref="System.Diagnostics.Metrics.MeterListener"/> and <see cref="ActivityListener"/>. Every instrument and span
/// carries the tags <see cref="RunnerNameTag"/> and <see cref="RunnerScopeTag"/>.
/// </summary>
public static class RunnerTokenRefreshTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "RunnerTokens";

    /// <summary>The activity source's name: a span per refresh, with a child span per step of the re-registration.</summary>
    public const string ActivitySourceName = "RunnerTokens";

    /// <summary>Counter of a runner's checks (unit <c>{check}</c>).</summary>
    public const string ChecksInstrument = "runnertokens.checks";

    /// <summary>Counter of successful re-registrations (unit <c>{refresh}</c>).</summary>
    public const string RefreshesInstrument = "runnertokens.refreshes";

    /// <summary>Counter of refreshes that failed after every attempt (unit <c>{refresh}</c>).</summary>
    public const string FailuresInstrument = "runnertokens.refresh.failures";

    /// <summary>Gauge of refreshes failed in a row, per runner; 3 or more is critical (unit <c>{refresh}</c>).</summary>
    public const string ConsecutiveFailuresInstrument = "runnertokens.refresh.consecutive_failures";

    /// <summary>The span of one refresh of one runner; its tag <see cref="OutcomeTag"/> says how it ended.</summary>
    public const string RefreshActivity = "runnertokens.refresh";

    /// <summary>The span of one step of a re-registration (stop, remove, configure, start…); its tag <see cref="StepTag"/> names it.</summary>
    public const string StepActivity = "runnertokens.step";

    /// <summary>The tag with the runner's name.</summary>
    public const string RunnerNameTag = "runner.name";

    /// <summary>The tag with the runner's scope (an organization, a repository or an enterprise).</summary>
    public const string RunnerScopeTag = "runner.scope";

    /// <summary>The tag with a refresh's outcome: <c>Refreshed</c>, <c>Failed</c>, <c>Postponed</c>, <c>DryRun</c>…</summary>
    public const string OutcomeTag = "runnertokens.outcome";

    /// <summary>The tag with a step's name.</summary>
    public const string StepTag = "runnertokens.step";
}

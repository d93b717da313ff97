namespace RunnerTokens.Host.Telemetry;

/// <summary>
/// Whether the standard OpenTelemetry variables ask for an OTLP export, and of which signals. Read from the variables
/// alone, with no OpenTelemetry type, so that a run without them loads and starts nothing of OpenTelemetry (the cron
/// one-shot's start-up is measured against a bash script).
/// </summary>
internal sealed record OtlpSettings(bool Traces, bool Metrics)
{
    /// <summary>The collector for every signal (the SDK adds <c>/v1/traces</c> and <c>/v1/metrics</c> for http/protobuf).</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The collector for the spans alone, used as given.</summary>
    public const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>The collector for the metrics alone, used as given.</summary>
    public const string MetricsEndpointVariable = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";

    /// <summary><c>true</c> turns every export off, as the specification says, whatever the endpoints.</summary>
    public const string DisabledVariable = "OTEL_SDK_DISABLED";

    /// <summary>The metrics' temporality (<c>cumulative</c>, <c>delta</c>, <c>lowmemory</c>), read by the SDK.</summary>
    public const string TemporalityVariable = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";

    /// <summary>
    /// The export of each signal the variables ask for, or null when they ask for none: no endpoint set, or
    /// <c>OTEL_SDK_DISABLED=true</c>.
    /// </summary>
    public static OtlpSettings? FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (bool.TryParse(Value(environment, DisabledVariable), out var disabled) && disabled)
        {
            return null;
        }

        var both = Value(environment, EndpointVariable) is not null;
        var settings = new OtlpSettings(
            both || Value(environment, TracesEndpointVariable) is not null,
            both || Value(environment, MetricsEndpointVariable) is not null);
        return settings.Traces || settings.Metrics ? settings : null;
    }

    /// <summary>Whether the user chose the metrics' temporality (else the one-shot sends deltas: each run counts its own check).</summary>
    public static bool TemporalityChosen(IReadOnlyDictionary<string, string?> environment) => Value(environment, TemporalityVariable) is not null;

    private static string? Value(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

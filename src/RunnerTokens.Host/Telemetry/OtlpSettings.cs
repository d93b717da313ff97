namespace RunnerTokens.Host.Telemetry;

/// <summary>
/// Whether the standard OpenTelemetry variables ask for an OTLP export, and of which signals. Read from the variables
/// alone, with no OpenTelemetry type, so that a run without them loads and starts nothing of OpenTelemetry (the cron
/// one-shot's start-up is measured against a bash script).
/// </summary>
internal sealed record OtlpSettings(bool Traces, bool Metrics)
{
    /// <summary>Gets the spans' own collector URL (used as given), when its variable sets one.</summary>
    public Uri? TracesEndpoint { get; init; }

    /// <summary>Gets the metrics' own collector URL (used as given), when its variable sets one.</summary>
    public Uri? MetricsEndpoint { get; init; }

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

        // The SDK's AddOtlpExporter reads only the variables of every signal; a signal's own endpoint is applied here
        // (a value that is no absolute http or https URL is left out, as the SDK leaves out a bad OTEL_EXPORTER_OTLP_ENDPOINT).
        var both = Value(environment, EndpointVariable) is not null;
        var traces = Url(Value(environment, TracesEndpointVariable));
        var metrics = Url(Value(environment, MetricsEndpointVariable));
        var settings = new OtlpSettings(both || traces is not null, both || metrics is not null) { TracesEndpoint = traces, MetricsEndpoint = metrics };
        return settings.Traces || settings.Metrics ? settings : null;
    }

    /// <summary>Whether the user chose the metrics' temporality (else the one-shot sends deltas: each run counts its own check).</summary>
    public static bool TemporalityChosen(IReadOnlyDictionary<string, string?> environment) => Value(environment, TemporalityVariable) is not null;

    private static Uri? Url(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) ? url : null;

    private static string? Value(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

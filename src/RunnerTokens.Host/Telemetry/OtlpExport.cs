using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace RunnerTokens.Host.Telemetry;

/// <summary>
/// The OTLP export of the engine's meter and spans (<see cref="RunnerTokenRefreshTelemetry"/>), for one run of the
/// command. Built only when <see cref="OtlpSettings"/> asks for it; the SDK reads every other standard variable itself
/// (protocol, headers, timeout, compression, certificates, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>).
/// Exports run on the SDK's own background threads, so a slow or unreachable collector never holds a check up; what
/// is left at the end is sent within <see cref="ExitLimit"/>, then dropped.
/// </summary>
internal sealed partial class OtlpExport : IAsyncDisposable
{
    /// <summary>The service name when neither <c>OTEL_SERVICE_NAME</c> nor <c>OTEL_RESOURCE_ATTRIBUTES</c> names one.</summary>
    public const string ServiceName = "runner-token-refresh";

    /// <summary>
    /// How long the end of a run waits for the last export (spans and metrics at once): a cron check's exit is delayed
    /// by at most this much when the collector hangs, and by nothing when it refuses the connection.
    /// </summary>
    public static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(3);

    private readonly TracerProvider? _traces;
    private readonly MeterProvider? _metrics;
    private readonly ILogger _logger;

    private OtlpExport(TracerProvider? traces, MeterProvider? metrics, ILogger logger)
    {
        _traces = traces;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Starts the export of what <paramref name="settings"/> asks for. The one-shot sends its metrics as deltas unless
    /// <c>OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE</c> says otherwise: each run is a new process whose
    /// counters start at zero, so a cumulative series would restart at 1 at every run.
    /// </summary>
    public static OtlpExport Start(OtlpSettings settings, IReadOnlyDictionary<string, string?> environment, bool oneShot, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var deltas = oneShot && !OtlpSettings.TemporalityChosen(environment);

        var traces = settings.Traces
            ? Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(Resource())
                .AddSource(RunnerTokenRefreshTelemetry.ActivitySourceName)
                .AddOtlpExporter(exporter =>
                {
                    if (settings.TracesEndpoint is { } url)
                    {
                        exporter.Endpoint = url;
                    }
                })
                .Build()
            : null;
        var metrics = settings.Metrics
            ? Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(Resource())
                .AddMeter(RunnerTokenRefreshTelemetry.MeterName)
                .AddOtlpExporter((exporter, reader) =>
                {
                    if (settings.MetricsEndpoint is { } url)
                    {
                        exporter.Endpoint = url;
                    }

                    if (deltas)
                    {
                        reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
                    }
                })
                .Build()
            : null;

        var logger = loggerFactory.CreateLogger<OtlpExport>();
        Log.Started(logger, settings.Traces, settings.Metrics);
        return new OtlpExport(traces, metrics, logger);
    }

    /// <summary>The SDK's default resource with our service name: the variables come after it, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.</summary>
    private static ResourceBuilder Resource() => ResourceBuilder.CreateEmpty()
        .AddService(ServiceName, autoGenerateServiceInstanceId: false)
        .AddTelemetrySdk()
        .AddEnvironmentVariableDetector();

    /// <summary>Sends what is left (spans and metrics at once, at most <see cref="ExitLimit"/>), then stops the export.</summary>
    public async ValueTask DisposeAsync()
    {
        // Shutdown blocks (the SDK's exports are synchronous); the two run side by side, each bounded by the limit.
        var limit = (int)ExitLimit.TotalMilliseconds;
        var sent = await Task.WhenAll(
            Task.Run(() => _traces?.Shutdown(limit) ?? true),
            Task.Run(() => _metrics?.Shutdown(limit) ?? true)).ConfigureAwait(false);

        // Already shut down: Dispose only frees them (an export still hanging is left to its background thread).
        _traces?.Dispose();
        _metrics?.Dispose();
        if (!sent[0] || !sent[1])
        {
            Log.NotSent(_logger, ExitLimit.TotalSeconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "OpenTelemetry: exporting by OTLP: spans {Traces}, metrics {Metrics}")]
        public static partial void Started(ILogger logger, bool traces, bool metrics);

        [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "OpenTelemetry: the last OTLP export was not accepted within {Seconds} s (is the collector of OTEL_EXPORTER_OTLP_ENDPOINT up?); its spans or metrics are dropped. The check itself is done")]
        public static partial void NotSent(ILogger logger, double seconds);
    }
}

// A web service that keeps runners registered beside its own work: the three packages, a metrics sink of its own,
// a health endpoint, the Prometheus file and, when OTEL_EXPORTER_OTLP_ENDPOINT names a collector, OpenTelemetry
// (the engine's meter and spans by OTLP), configured from appsettings.json and the environment.
// Run it from the repository root, after packing the packages into artifacts/packages:
//   dotnet run --project samples/ConsumerService
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RunnerTokens;

// appsettings.json is read from beside the program; relative runner directories from the current folder.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services
    .AddRunnerTokenRefresh(builder.Configuration.GetSection("RunnerTokens"))
    .AddGitHub(builder.Configuration.GetSection("GitHub"))
    .AddSystemdReconfigurer(builder.Configuration.GetSection("Systemd"))
    .AddMetricsSink<AuditLogSink>();
builder.Services.AddHealthChecks().AddRunnerTokenRefresh();
if (builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 })
{
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics.AddMeter(RunnerTokenRefreshTelemetry.MeterName))
        .WithTracing(tracing => tracing.AddSource(RunnerTokenRefreshTelemetry.ActivitySourceName))
        .UseOtlpExporter();
}

var app = builder.Build();
app.MapHealthChecks("/healthz");
app.Run();

/// <summary>A sink of the service's own: every check and refresh as a line of its audit log.</summary>
internal sealed partial class AuditLogSink(ILogger<AuditLogSink> logger) : IMetricsSink
{
    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken)
    {
        Checked(logger, runner.Name, checkedAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken)
    {
        Refreshed(logger, runner.Name, refreshedAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken)
    {
        Failed(logger, runner.Name, failedAt, consecutiveFailures);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Information, "audit: runner {Runner} checked at {At:u}")]
    private static partial void Checked(ILogger logger, string runner, DateTimeOffset at);

    [LoggerMessage(2, LogLevel.Information, "audit: runner {Runner} re-registered at {At:u}")]
    private static partial void Refreshed(ILogger logger, string runner, DateTimeOffset at);

    [LoggerMessage(3, LogLevel.Warning, "audit: runner {Runner} failed to re-register at {At:u}, {Failures} time(s) in a row")]
    private static partial void Failed(ILogger logger, string runner, DateTimeOffset at, int failures);
}

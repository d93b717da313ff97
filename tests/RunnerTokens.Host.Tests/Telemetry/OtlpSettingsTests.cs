using RunnerTokens.Host.Telemetry;

namespace RunnerTokens.Host.Tests.Telemetry;

public sealed class OtlpSettingsTests
{
    [Theory]
    [InlineData(null, null, null, null, null)]
    [InlineData("", null, null, null, null)]
    [InlineData("   ", null, null, null, null)]
    [InlineData("http://collector:4318", null, null, null, "traces+metrics")]
    [InlineData(null, "http://collector:4318/v1/traces", null, null, "traces")]
    [InlineData(null, null, "http://collector:4318/v1/metrics", null, "metrics")]
    [InlineData(null, "collector:4318 traces", null, null, null)] // not a URL: left out
    [InlineData("http://collector:4318", null, null, "true", null)]
    [InlineData("http://collector:4318", null, null, "TRUE", null)]
    [InlineData("http://collector:4318", null, null, "false", "traces+metrics")]
    [InlineData("http://collector:4318", null, null, "yes", "traces+metrics")] // not "true": the specification's only off value
    public void FromEnvironment_Variables_TurnOnTheSignalsTheyName(string? endpoint, string? traces, string? metrics, string? disabled, string? expected)
    {
        var environment = new Dictionary<string, string?>
        {
            [OtlpSettings.EndpointVariable] = endpoint,
            [OtlpSettings.TracesEndpointVariable] = traces,
            [OtlpSettings.MetricsEndpointVariable] = metrics,
            [OtlpSettings.DisabledVariable] = disabled,
        };

        var settings = OtlpSettings.FromEnvironment(environment);

        Assert.Equal(expected, settings is null ? null : string.Join('+', new[] { settings.Traces ? "traces" : null, settings.Metrics ? "metrics" : null }.OfType<string>()));
    }

    [Fact]
    public void FromEnvironment_SignalEndpoints_AreKeptAsGiven()
    {
        var settings = OtlpSettings.FromEnvironment(new Dictionary<string, string?>
        {
            [OtlpSettings.EndpointVariable] = "http://collector:4318",
            [OtlpSettings.MetricsEndpointVariable] = "https://metrics.example.com/otlp/v1/metrics",
        });

        Assert.NotNull(settings);
        Assert.Null(settings.TracesEndpoint);
        Assert.Equal(new Uri("https://metrics.example.com/otlp/v1/metrics"), settings.MetricsEndpoint);
    }

    [Fact]
    public void FromEnvironment_NoVariablesAtAll_IsNull() =>
        Assert.Null(OtlpSettings.FromEnvironment(new Dictionary<string, string?> { ["PATH"] = "/usr/bin" }));

    [Fact]
    public void FromEnvironment_Null_Throws() =>
        Assert.Throws<ArgumentNullException>(() => OtlpSettings.FromEnvironment(null!));
}

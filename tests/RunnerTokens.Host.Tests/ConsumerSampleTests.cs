using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CliWrap;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Telemetry;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// samples/ConsumerService as a consumer builds it: the three packages packed from this repository and taken by
/// PackageReference (not by project reference), a metrics sink of its own, /healthz, the Prometheus file and OpenTelemetry.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class ConsumerSampleTests(PackedPackages packages) : IDisposable
{
    private readonly TempDirectory _temp = new("consumer-sample");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ConsumerService_FromPackedPackages_ChecksItsRunnerAndAnswersHealthy()
    {
        var root = HostProcess.RepositoryRoot;

        // Each package asks for the lowest Microsoft.Extensions.* of the line, so an application on any 10.0.x takes it as it is.
        Assert.All(PackedPackages.Packages, package => Assert.All(
            Dependencies(packages.PackageFile(package)).Where(d => d.Id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)),
            d => Assert.Equal("10.0.0", d.Version)));

        var dll = await packages.BuildSampleAsync("ConsumerService");

        // The sample runner, nothing due for years: the check decides "none" and the sinks record it.
        var runner = _temp.Combine("actions-runner");
        CopyDirectory(Path.Combine(root, "samples", "actions-runner"), runner);
        Directory.CreateDirectory(Path.Combine(runner, ".token-refresh"));
        File.WriteAllText(Path.Combine(runner, ".token-refresh", "state.json"), """{ "registration_token_expires_at": "2099-01-01T00:00:00Z", "consecutive_failures": 0 }""");
        var prometheus = _temp.Combine("runner-tokens.prom");
        await using var collector = FakeOtlpCollector.Start();
        var command = Cli.Wrap("dotnet")
            .WithArguments([dll, "--urls", "http://127.0.0.1:0"])
            .WithWorkingDirectory(root)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["RunnerTokens__DryRun"] = "false",
                ["RunnerTokens__Runners__0__Directory"] = runner,
                ["RunnerTokens__MetricsFile"] = _temp.Combine("metrics.json"),
                ["RunnerTokens__PrometheusFile"] = prometheus,
                ["GitHub__ApiUrl"] = "http://127.0.0.1:9/",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            })
            .WithValidation(CommandResultValidation.None);

        await using var service = RunningProcess.Start(command);
        await service.WaitForOutputAsync("Now listening on: http://127.0.0.1:", TimeSpan.FromSeconds(60));
        var url = Regex.Match(service.Output, @"Now listening on: (http://127\.0\.0\.1:\d+)", RegexOptions.CultureInvariant).Groups[1].Value;
        await service.WaitForOutputAsync("audit: runner sample-runner checked at", TimeSpan.FromSeconds(60));

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var health = await http.GetStringAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal("Healthy", health);

        // The audit line is the check's own; the Prometheus file is written once the whole check is done, just after.
        await Poll.UntilAsync(() => File.Exists(prometheus), TimeSpan.FromSeconds(10));

        Assert.Contains("runner_token_refresh_checks_total{runner=\"sample-runner\"} 1", File.ReadAllText(prometheus), StringComparison.Ordinal);

        // The sample's OpenTelemetry lines export the engine's meter: the check reaches the collector, by its runner.
        await Poll.UntilAsync(() => collector.Points.Any(IsTheCheck), TimeSpan.FromSeconds(10));

        var check = collector.Points.Last(IsTheCheck);
        Assert.Equal(RunnerTokenRefreshTelemetry.MeterName, check.Scope);
        Assert.Equal(1, check.Value);

        static bool IsTheCheck(OtlpPoint point) =>
            point.Metric == RunnerTokenRefreshTelemetry.ChecksInstrument
            && point.Attributes.GetValueOrDefault(RunnerTokenRefreshTelemetry.RunnerNameTag) == "sample-runner";
    }

    [Fact]
    public void Packages_EachCarriesTheReadmeAndHasItsSymbolsPackage()
    {
        Assert.All(PackedPackages.Packages, package => PackageChecks.AssertReadmeAndSymbols(packages.PackageFile(package), $"RunnerTokens.{package}"));
    }

    /// <summary>The package's dependencies, as its .nuspec lists them.</summary>
    private static List<(string Id, string Version)> Dependencies(string nupkg)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        using var nuspec = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (e.Attribute("id")!.Value, e.Attribute("version")!.Value))
            .ToList();
        Assert.NotEmpty(dependencies);
        return dependencies;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            CopyDirectory(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }
}

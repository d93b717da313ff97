using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// samples/ConsumerService as a consumer builds it: the three packages packed from this repository and taken by
/// PackageReference (not by project reference), a metrics sink of its own, /healthz and the Prometheus file.
/// </summary>
public sealed class ConsumerSampleTests : IDisposable
{
    private readonly TempDirectory _temp = new("consumer-sample");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ConsumerService_FromPackedPackages_ChecksItsRunnerAndAnswersHealthy()
    {
        // A version of this run's own, so no package of an earlier run in the NuGet cache is taken instead.
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var root = HostProcess.RepositoryRoot;
        var sample = Path.Combine(root, "samples", "ConsumerService");
        foreach (var package in new[] { "Core", "GitHub", "Systemd" })
        {
            await DotnetAsync(root, "pack", $"src/RunnerTokens.{package}", "-c", "Release", "-o", "artifacts/packages", $"-p:Version={version}");
        }

        // Each package asks for the lowest Microsoft.Extensions.* of the line, so an application on any 10.0.x takes it as it is.
        Assert.All(new[] { "Core", "GitHub", "Systemd" }, package => Assert.All(
            Dependencies(Path.Combine(root, "artifacts", "packages", $"RunnerTokens.{package}.{version}.nupkg"))
                .Where(d => d.Id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)),
            d => Assert.Equal("10.0.0", d.Version)));

        await DotnetAsync(root, "build", sample, $"-p:RunnerTokensVersion={version}");

        // The sample runner, nothing due for years: the check decides "none" and the sinks record it.
        var runner = _temp.Combine("actions-runner");
        CopyDirectory(Path.Combine(root, "samples", "actions-runner"), runner);
        Directory.CreateDirectory(Path.Combine(runner, ".token-refresh"));
        File.WriteAllText(Path.Combine(runner, ".token-refresh", "state.json"), """{ "registration_token_expires_at": "2099-01-01T00:00:00Z", "consecutive_failures": 0 }""");
        var prometheus = _temp.Combine("runner-tokens.prom");
        var command = Cli.Wrap("dotnet")
            .WithArguments([Path.Combine(sample, "bin", "Debug", "net10.0", "ConsumerService.dll"), "--urls", "http://127.0.0.1:0"])
            .WithWorkingDirectory(root)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["RunnerTokens__DryRun"] = "false",
                ["RunnerTokens__Runners__0__Directory"] = runner,
                ["RunnerTokens__MetricsFile"] = _temp.Combine("metrics.json"),
                ["RunnerTokens__PrometheusFile"] = prometheus,
                ["GitHub__ApiUrl"] = "http://127.0.0.1:9/",
            })
            .WithValidation(CommandResultValidation.None);

        await using var service = RunningProcess.Start(command);
        await service.WaitForOutputAsync("Now listening on: http://127.0.0.1:", TimeSpan.FromSeconds(60));
        var url = Regex.Match(service.Output, @"Now listening on: (http://127\.0\.0\.1:\d+)", RegexOptions.CultureInvariant).Groups[1].Value;
        await service.WaitForOutputAsync("audit: runner sample-runner checked at", TimeSpan.FromSeconds(60));

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var health = await http.GetStringAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal("Healthy", health);
        Assert.Contains("runner_token_refresh_checks_total{runner=\"sample-runner\"} 1", File.ReadAllText(prometheus), StringComparison.Ordinal);
    }

    private static async Task DotnetAsync(string directory, params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await Cli.Wrap("dotnet").WithArguments(arguments).WithWorkingDirectory(directory)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.StandardOutput}{result.StandardError}");
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

using RunnerTokens.Host.CommandLine;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The short path of the plain argument forms (<see cref="RefreshCommand.TryParsePlain"/>) reads exactly what
/// System.CommandLine reads, and leaves every other form to it.
/// </summary>
public sealed class PlainArgumentsTests
{
    [Theory]
    [InlineData("--health")]
    [InlineData("--health", "--metrics-file", "/var/lib/m.json")]
    [InlineData("--metrics-file", "/var/lib/m.json", "--health")]
    [InlineData("--health", "--config", "/etc/runners.json", "--max-age", "600")]
    [InlineData("--max-age", "600", "--health", "--metrics-file", "m.json", "--log-level", "debug")]
    [InlineData("--health", "--dry-run", "--metrics-file", "m.json")]
    [InlineData("--health", "--metrics-file", "m.json", "--rename")]
    [InlineData("--health", "--metrics-file", "a=b:c", "--runner-dir", "/x y")]
    [InlineData("--health", "--max-age", "abc")]
    [InlineData("--health", "--policy", "sometimes", "--app-id", "Iv1.x")]
    [InlineData("--check-and-refresh", "--runner-dir", "/home/runner/actions-runner")]
    [InlineData("--check-and-refresh", "--dry-run", "--org", "your-org", "--runner-dir", "samples/actions-runner", "--metrics-file", "m.json")]
    [InlineData("--runner-dir", "r", "--threshold", "600", "--check-and-refresh", "--ephemeral", "--no-default-labels")]
    [InlineData("--check-config", "--runner-dir", "r", "--token-file", "/etc/github-token")]
    [InlineData("--daemon", "--config", "/etc/runners.json")]
    [InlineData("--daemon", "--config", "c.json", "--log-file", "/dev/null", "--token-file", "t", "--api-url", "http://127.0.0.1:1")]
    [InlineData("--check-and-refresh", "--interval", "0", "--labels", "a,b", "--service", "x.service")]
    [InlineData("--check-and-refresh", "--runner-dir", "r", "--prometheus-file", "/var/lib/prometheus/node-exporter/r.prom")]
    [InlineData("--daemon", "--prometheus-file", "r.prom", "--metrics-file", "m.json", "--config", "c.json")]
    public void PlainForms_ReadAsSystemCommandLineReadsThem(params string[] args)
    {
        var fast = RefreshCommand.TryParsePlain(args);
        var full = ParseFully(args);

        Assert.NotNull(fast);
        Assert.Equal(full.Health, fast.Health);
        Assert.Equal(full.Daemon, fast.Daemon);
        Assert.Equal(full.CheckAndRefresh, fast.CheckAndRefresh);
        Assert.Equal(full.CheckConfig, fast.CheckConfig);
        Assert.Equal(full.Config, fast.Config);
        Assert.Equal(full.Flags.Select(f => (f.Key.Key, f.Value)), fast.Flags.Select(f => (f.Key.Key, f.Value)));
    }

    [Theory]
    [InlineData]
    [InlineData("--metrics-file", "m.json")]
    [InlineData("--health", "--health")]
    [InlineData("--health", "--daemon")]
    [InlineData("--health", "--check-and-refresh")]
    [InlineData("--check-and-refresh", "--check-config")]
    [InlineData("--check-and-refresh", "true")]
    [InlineData("--check-and-refresh=true")]
    [InlineData("--daemon", "false", "--config", "c.json")]
    [InlineData("--check-and-refresh", "--dry-run=perhaps")]
    [InlineData("--health", "--help")]
    [InlineData("--health", "-h")]
    [InlineData("--health", "--version")]
    [InlineData("--health", "--metrics-file")]
    [InlineData("--health", "--metrics-file", "")]
    [InlineData("--health", "--metrics-file", "-")]
    [InlineData("--health", "--metrics-file", "--max-age")]
    [InlineData("--health", "--metrics-file", "@args.rsp")]
    [InlineData("--health", "--metrics-file=m.json")]
    [InlineData("--health", "--metrics-file:m.json")]
    [InlineData("--health", "--metrics-file", "a", "--metrics-file", "b")]
    [InlineData("--check-and-refresh", "--prometheus-file")]
    [InlineData("--check-and-refresh", "--prometheus-file=r.prom")]
    [InlineData("--check-and-refresh", "--prometheus-file", "a.prom", "--prometheus-file", "b.prom")]
    [InlineData("--health", "--config", "a", "--config", "b")]
    [InlineData("--health", "--dry-run", "true")]
    [InlineData("--health", "--dry-run", "--dry-run")]
    [InlineData("--health", "--dry-run=false")]
    [InlineData("--health", "stray")]
    [InlineData("--health", "--")]
    [InlineData("--health", "--Metrics-File", "m.json")]
    [InlineData("--health", "--unknown", "x")]
    [InlineData("[diagram]", "--health")]
    [InlineData("@args.rsp")]
    public void OtherForms_AreLeftToSystemCommandLine(params string[] args) =>
        Assert.Null(RefreshCommand.TryParsePlain(args));

    /// <summary>What <see cref="RefreshCommand.Create"/>'s action passes for these arguments.</summary>
    private static HostArguments ParseFully(string[] args)
    {
        HostArguments? passed = null;
        var command = RefreshCommand.Create((arguments, _) =>
        {
            passed = arguments;
            return Task.FromResult(0);
        });
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.Invoke());
        return Assert.IsType<HostArguments>(passed);
    }
}

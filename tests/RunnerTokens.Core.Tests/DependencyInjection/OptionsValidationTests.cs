using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Tests.DependencyInjection;

public sealed class OptionsValidationTests : IDisposable
{
    private readonly RunnerDirectory _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData("RefreshThreshold", "01:00:00", "00:59:59")]
    [InlineData("RefreshThreshold", "-00:00:05", "00:00:00")]
    [InlineData("CheckInterval", "00:00:00", "00:00:01")]
    [InlineData("RetryBackoff", "02:00:00", "01:00:00")]
    public void Start_TimeOutOfRange_FailsNamingSettingValueAndRange(string setting, string value, string bound)
    {
        var time = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        var message = Validate(o => typeof(RunnerTokenRefreshOptions).GetProperty(setting)!.SetValue(o, time));

        Assert.Contains($"{setting} = {value}", message, StringComparison.Ordinal);
        Assert.Contains(bound, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Start_MaxRetryAttemptsOutOfRange_Fails(int attempts)
    {
        var message = Validate(o => o.MaxRetryAttempts = attempts);

        Assert.Contains($"MaxRetryAttempts = {attempts} is not allowed: it must be from 1 to 100", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NoRunners_Fails()
    {
        var message = Validate(o => o.Runners.Clear());

        Assert.Contains("Runners is empty", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_RunnerDirectoryMissing_FailsNamingIt()
    {
        var message = Validate(o => o.Runners[0].Directory = "/nonexistent/actions-runner");

        Assert.Contains("Runners[0].Directory = '/nonexistent/actions-runner' does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_UnregisteredRunnerWithoutOrganizationNorUrl_FailsSayingWhatToSet()
    {
        using var unregistered = new RunnerDirectory(registered: false);
        unregistered.Write("config.sh", "#!/bin/bash\n");

        var message = Validate(o =>
        {
            o.Runners[0].Organization = null;
            o.Runners[0].Directory = unregistered.Path;
        });

        Assert.Contains($"Runners[0]: the runner in {unregistered.Path} is not registered (no .runner) and neither Url nor Organization is set", message, StringComparison.Ordinal);
        Assert.Contains("RUNNER_ORG", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_FolderWithNeitherRunnerFileNorConfigSh_FailsSayingItIsNoRunnerFolder()
    {
        using var empty = new RunnerDirectory(registered: false);

        var message = Validate(o =>
        {
            o.Runners[0].Organization = null;
            o.Runners[0].Directory = empty.Path;
        });

        Assert.Contains($"Runners[0].Directory = '{empty.Path}' is not a runner folder: it has no .runner and no config.sh", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agentName=runner-1", "is corrupt")]
    [InlineData("{\"agentId\":42}", "is corrupt: 'agentName' is missing or empty")]
    public void Start_CorruptRunnerFileAndNothingElseKnowsTheRunner_FailsNamingTheFileAndTheProblem(string content, string problem)
    {
        _runner.Write(".runner", content);

        var message = Validate(o => o.Runners[0].Organization = null);

        Assert.Contains($"Runners[0]: {_runner.File(".runner")} {problem}", message, StringComparison.Ordinal);
        Assert.DoesNotContain("not registered (no .runner)", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu,large", "has no ','")]
    [InlineData("large\tdisk", "has no control characters")]
    public void Start_LabelConfigShCannotTake_FailsNamingIt(string label, string problem)
    {
        var message = Validate(o => o.Runners[0].Labels.Add(label));

        Assert.Contains($"Runners[0].Labels has the label '{label.Replace("\t", "\\t", StringComparison.Ordinal)}', which is not allowed: a label {problem}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_RunnerGroupWithNewline_FailsNamingIt()
    {
        var message = Validate(o => o.Runners[0].RunnerGroup = "Default\nx");

        Assert.Contains("Runners[0].RunnerGroup = 'Default\\nx' is not allowed: a runner group has no control characters", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://github.com")]
    [InlineData("not a url")]
    public void Start_BadUrl_FailsNamingIt(string url)
    {
        var message = Validate(o => o.Runners[0].Url = url);

        Assert.Contains($"Runners[0].Url = '{url}' is not allowed", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_OrganizationWithSlash_Fails()
    {
        var message = Validate(o => o.Runners[0].Organization = "acme/widgets");

        Assert.Contains("Runners[0].Organization = 'acme/widgets' is not allowed", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..", "..")]
    [InlineData(".", ".")]
    [InlineData("acme/build", "acme/build")]
    [InlineData("build\nevil", "build\\nevil")]
    [InlineData("build\u001b[2Jx", "build\\u001B[2Jx")]
    public void Start_NameNotARunnerName_FailsNamingIt(string name, string shown)
    {
        using var unregistered = new RunnerDirectory(registered: false);

        var message = Validate(o =>
        {
            o.Runners[0].Directory = unregistered.Path;
            o.Runners[0].Name = name;
        });

        Assert.Contains($"Runners[0].Name = '{shown}' is not allowed", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_TwoRunnersSameNameAndFiles_Fails()
    {
        var message = Validate(o => o.Runners.Add(new RunnerOptions { Name = "runner-1", Directory = _runner.Path, Organization = "acme" }));

        Assert.Contains("share the name 'runner-1'", message, StringComparison.Ordinal);
        Assert.Contains("share the metrics file", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ManyRunnersShareTheMetricsFile_OneLineNamesTheFirstFiveAndCountsTheRest()
    {
        var others = Enumerable.Range(2, 11).Select(i => new RunnerDirectory(name: $"runner-{i}")).ToList();
        string message;
        try
        {
            message = Validate(o =>
            {
                foreach (var other in others)
                {
                    o.Runners.Add(new RunnerOptions { Directory = other.Path, Organization = "acme" });
                }
            });
        }
        finally
        {
            others.ForEach(r => r.Dispose());
        }

        Assert.Contains("Runners 'runner-1', 'runner-2', 'runner-3', 'runner-4', 'runner-5' and 7 others share the metrics file", message, StringComparison.Ordinal);
        Assert.DoesNotContain("'runner-6'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_Valid_ResolvesDefaults()
    {
        using var provider = Build(o => o.Runners[0].Name = null);

        var refresher = provider.GetRequiredService<IRunnerTokenRefresher>();

        Assert.NotNull(refresher);
        Assert.Equal(TimeSpan.FromSeconds(300), provider.GetRequiredService<IOptions<RunnerTokenRefreshOptions>>().Value.RefreshThreshold);
    }

    [Fact]
    public async Task Start_ValidateOnStart_FailsBeforeAnyCheck()
    {
        using var provider = Build(o => o.RefreshThreshold = TimeSpan.FromHours(2));
        var validator = provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>();

        var ex = Assert.Throws<OptionsValidationException>(validator.Validate);

        Assert.Contains("RefreshThreshold = 02:00:00", ex.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("/var/lib/prometheus/node-exporter/runners.txt")]
    [InlineData("/var/lib/prometheus/node-exporter/runners.PROM")]
    [InlineData("/var/lib/prometheus/node-exporter/runners.prom.tmp")]
    [InlineData("/var/lib/prometheus/node-exporter/")]
    public void Start_PrometheusFileNotEndingInProm_FailsNamingItAndWhatNodeExporterReads(string path)
    {
        var message = Validate(o => o.PrometheusFile = path);

        Assert.Contains($"PrometheusFile = '{path}' is not allowed: node_exporter's textfile collector reads only files whose name ends in .prom", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_PrometheusFileThatIsARunnersMetricsFile_Fails()
    {
        var message = Validate(o =>
        {
            o.Runners[0].MetricsFile = "/var/lib/runner-token-refresh/metrics.prom";
            o.PrometheusFile = "/var/lib/runner-token-refresh/metrics.prom";
        });

        Assert.Contains("PrometheusFile = '/var/lib/runner-token-refresh/metrics.prom' is not allowed: it is also the JSON metrics file of runner 'runner-1'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_PrometheusFileEndingInProm_IsAccepted()
    {
        using var provider = Build(o => o.PrometheusFile = "/var/lib/prometheus/node-exporter/runner-token-refresh.prom");

        Assert.Equal("/var/lib/prometheus/node-exporter/runner-token-refresh.prom", provider.GetRequiredService<IOptions<RunnerTokenRefreshOptions>>().Value.PrometheusFile);
    }

    private ServiceProvider Build(Action<RunnerTokenRefreshOptions> change)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh(o =>
        {
            o.Runners.Add(new RunnerOptions { Name = "runner-1", Directory = _runner.Path, Organization = "acme" });
            change(o);
        });
        return services.BuildServiceProvider();
    }

    private string Validate(Action<RunnerTokenRefreshOptions> change)
    {
        using var provider = Build(change);
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RunnerTokenRefreshOptions>>().Value);
        return ex.Message;
    }
}

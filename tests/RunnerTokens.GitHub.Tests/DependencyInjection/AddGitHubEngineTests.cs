using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.GitHub.Tests.DependencyInjection;

/// <summary>The refresh engine of Core with this package plugged in, against the fake GitHub API.</summary>
public sealed class AddGitHubEngineTests
{
    private static async Task<(GitHubHarness Harness, IRunnerReconfigurer Reconfigurer)> StartAsync(
        Action<RunnerTokenRefreshOptions>? configure = null, bool brokenFiles = false)
    {
        var h = await GitHubHarness.StartAsync();
        var runnerDirectory = FakeRunnerDirectory.Create(h.Temp.Combine("runner"), h.Temp.Combine("control"), new RunnerLayout { Name = "r1", GitHubUrl = "https://github.com/acme" });
        if (brokenFiles)
        {
            // The runner-files source then says "invalid now", so the default policy refreshes.
            File.Delete(runnerDirectory.File(".credentials"));
        }

        var reconfigurer = Substitute.For<IRunnerReconfigurer>();
        reconfigurer.DescribePlanAsync(default!, default!, default).ReturnsForAnyArgs(new ValueTask<IReadOnlyList<string>>(["config.sh remove", "config.sh configure"]));
        h.ConfigureServices = services =>
        {
            services.AddSingleton(reconfigurer);
            services.Configure<RunnerTokenRefreshOptions>(o =>
            {
                o.Runners.Add(new RunnerOptions { Name = "r1", Url = "https://github.com/acme", Directory = runnerDirectory.Path });
                o.StateDirectory = h.Temp.Combine("state");
                o.MetricsFile = h.Temp.Combine("metrics.json");
                o.MaxRetryAttempts = 1;
                o.RetryBackoff = TimeSpan.Zero;
                o.Policy = RefreshPolicy.Registration;
                configure?.Invoke(o);
            });
        };
        return (h, reconfigurer);
    }

    [Fact]
    public async Task RunOnceAsync_FirstAttemptFailsWithTheToken_TheSecondTakesAFreshOne()
    {
        // arrange: config.sh fails with the first token (a transient failure), then works
        var (h, reconfigurer) = await StartAsync(o => o.MaxRetryAttempts = 2);
        await using var _h = h;
        h.WithPat();
        h.Api.AddScope("orgs/acme");
        var used = new List<string>();
        reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(call =>
        {
            used.Add(call.ArgAt<RegistrationToken>(2).Token);
            return used.Count == 1
                ? Task.FromException(new RunnerReconfigurationException("config.sh failed", RefreshFailureKind.Transient))
                : Task.CompletedTask;
        });

        // act
        var results = await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None);

        // assert: the held token is not handed to the retry, though it has most of its hour left
        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Equal(2, used.Distinct().Count());
        Assert.Equal(2, h.Api.RequestsTo("/registration-token").Count);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerDeletedOnGitHub_ReRegistersWithAFreshTokenNeverLogged()
    {
        var (h, reconfigurer) = await StartAsync();
        await using var _h = h;
        h.WithPat();
        h.Api.AddScope("orgs/acme");

        var results = await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RefreshOutcome.Refreshed, result.Outcome);
        Assert.Contains("not listed on GitHub", result.Reason, StringComparison.Ordinal);
        var issued = Assert.Single(h.Api.IssuedTokens);
        await reconfigurer.Received(1).ReconfigureAsync(
            Arg.Is<RunnerContext>(r => r.Name == "r1"), Arg.Any<RunnerRegistration>(), Arg.Is<RegistrationToken>(t => t.Token == issued.Token), Arg.Any<CancellationToken>());
        Assert.DoesNotContain(issued.Token, h.AllLogText(), StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubHarness.Pat, h.AllLogText(), StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Token, File.ReadAllText(h.Temp.Combine("metrics.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_RightToStopAndStartRefused_NoRegistrationTokenRequested()
    {
        var (h, reconfigurer) = await StartAsync();
        await using var _h = h;
        h.WithPat();
        h.Api.AddScope("orgs/acme");
        var guard = Substitute.For<IRunnerPreflightCheck>();
        guard.GuardsRefresh.Returns(true);
        guard.CheckAsync(default!, default).ReturnsForAnyArgs(new ValueTask<IReadOnlyList<PreflightResult>>(
            [PreflightResult.Failed("may stop and start actions.runner.acme.r1.service", "sudo refuses", "install the polkit rule", blocksRefresh: true)]));
        var configure = h.ConfigureServices;
        h.ConfigureServices = services =>
        {
            configure?.Invoke(services);
            services.AddSingleton(guard);
        };

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Failed, result.Outcome);
        Assert.Contains("sudo refuses", result.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Api.RequestsTo("registration-token"));
        Assert.DoesNotContain(h.Api.Requests, r => r.Method == "POST");
        Assert.Empty(h.Api.IssuedTokens);
        await reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerListed_DoesNothing()
    {
        var (h, reconfigurer) = await StartAsync();
        await using var _h = h;
        h.WithPat();
        h.Api.AddRunner("orgs/acme", "r1");

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.NotNeeded, result.Outcome);
        Assert.Empty(h.Api.IssuedTokens);
        await reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerMissingFromShiftedPages_IsNotReRegistered()
    {
        var (h, reconfigurer) = await StartAsync();
        await using var _h = h;
        h.WithPat();
        h.Api.AddRunner("orgs/acme", "r0");
        h.Api.AddRunner("orgs/acme", "r1").HiddenFromPages = true;

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.NotNeeded, result.Outcome);
        Assert.Empty(h.Api.IssuedTokens);
        await reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerBusyOnGitHub_PostponesWithoutFetchingAToken()
    {
        var (h, reconfigurer) = await StartAsync(o => o.Policy = RefreshPolicy.Expiry, brokenFiles: true);
        await using var _h = h;
        h.WithPat();
        h.Api.AddRunner("orgs/acme", "r1", busy: true);

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Postponed, result.Outcome);
        Assert.Empty(h.Api.IssuedTokens);
        await reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_BrokenFilesOfARunnerGitHubLists_ReRegistersWithItsLabelsAndNoDefaultLabels()
    {
        var (h, reconfigurer) = await StartAsync(o => o.Policy = RefreshPolicy.Expiry, brokenFiles: true);
        await using var _h = h;
        h.WithPat();
        h.Api.AddRunner("orgs/acme", "r1", labels: ["gpu", "large-disk"]).DefaultLabels = false;

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Refreshed, result.Outcome);
        await reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(),
            Arg.Is<RunnerRegistration>(r => r.Labels.SequenceEqual(new[] { "gpu", "large-disk" }) && r.LabelsKnown && r.NoDefaultLabels),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_DryRunWithoutCredentials_WorksOfflineAndCallsNoEndpoint()
    {
        var (h, reconfigurer) = await StartAsync(o => { o.DryRun = true; o.Policy = RefreshPolicy.Expiry; });
        await using var _h = h;
        h.Api.AddRunner("orgs/acme", "r1");

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.DryRun, result.Outcome);
        Assert.Empty(h.Api.Requests);
        await reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_CredentialWithoutThePermission_FailsNamingThePermission()
    {
        var (h, reconfigurer) = await StartAsync(o => o.Policy = RefreshPolicy.Expiry, brokenFiles: true);
        await using var _h = h;
        h.WithPat(GitHubHarness.Pat, "repo");
        h.Api.AddScope("orgs/acme");

        var result = Assert.Single(await h.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Failed, result.Outcome);
        Assert.Contains("admin:org", result.Reason, StringComparison.Ordinal);
        Assert.Contains("GITHUB_TOKEN", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubHarness.Pat, h.AllLogText(), StringComparison.Ordinal);
        Assert.Empty(h.Api.IssuedTokens);
        await reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }
}

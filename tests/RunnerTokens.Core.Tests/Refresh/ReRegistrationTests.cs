using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace RunnerTokens.Tests.Refresh;

/// <summary>
/// A refresh re-registers the runner exactly as it is: the identity comes from the runner, every setting from the
/// first that knows it (options, .runner, the server's listing, the record), and the record outlives .runner.
/// </summary>
public sealed class ReRegistrationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly EngineFixture _fixture = new();

    public ReRegistrationTests() => _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));

    public void Dispose() => _fixture.Dispose();

    private RunnerDirectory Runner => _fixture.Runners[0];

    [Fact]
    public async Task RunOnceAsync_OnlyTheRunnerDirectory_TakesNameAndUrlFromRunnerFile()
    {
        _fixture.Configure = o => o.Runners[0].Organization = null;

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal("runner-1", Assert.Single(results).RunnerName);
        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Is<RunnerContext>(r => r.Name == "runner-1" && r.Url == "https://github.com/acme"),
            Arg.Is<RunnerRegistration>(r => r.Name == "runner-1" && r.Url == "https://github.com/acme" && !r.Renames),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public void Start_NameDiffersFromRunnerFile_RefusedShowingBoth()
    {
        _fixture.Configure = o => o.Runners[0].Name = "vm";

        var ex = Assert.Throws<OptionsValidationException>(() => _fixture.CreateSut());

        Assert.Contains("Runners[0].Name = 'vm' is not allowed: the runner in", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is registered as 'runner-1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Rename (--rename)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_OrganizationDiffersFromRunnerFile_RefusedShowingBoth()
    {
        _fixture.Configure = o => o.Runners[0].Organization = "other-org";

        var ex = Assert.Throws<OptionsValidationException>(() => _fixture.CreateSut());

        Assert.Contains("'https://github.com/other-org', which is not allowed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("registered at 'https://github.com/acme'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_SameOrganizationOtherCaseAndSlash_NotARename()
    {
        _fixture.Configure = o =>
        {
            o.Runners[0].Organization = null;
            o.Runners[0].Url = "https://github.com/ACME/";
        };

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(), Arg.Is<RunnerRegistration>(r => !r.Renames), Arg.Any<RegistrationToken>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_RenameAsked_RegistersUnderTheNewNameAsARename()
    {
        _fixture.Configure = o =>
        {
            o.Runners[0].Name = "runner-new";
            o.Runners[0].Rename = true;
        };

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Is<RunnerContext>(r => r.Name == "runner-new"),
            Arg.Is<RunnerRegistration>(r => r.Name == "runner-new" && r.Renames && r.Id == null),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_NotRegisteredAndNoName_UsesHostNameCutAtFirstDot()
    {
        using var unregistered = new RunnerDirectory(registered: false);
        _fixture.Configure = o =>
        {
            o.Runners[0].Directory = unregistered.Path;
            o.Runners[0].Name = null;
        };

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var host = Dns.GetHostName();
        var expected = host.Contains('.', StringComparison.Ordinal) ? host[..host.IndexOf('.', StringComparison.Ordinal)] : host;
        Assert.Equal(expected, Assert.Single(results).RunnerName);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerFileDeletedAfterACheck_NameUrlAndSettingsComeFromTheRecord()
    {
        // arrange: one check while the runner is registered, with custom labels on GitHub
        Runner.Write(".runner", RunnerDirectory.RunnerJson.Replace("NAME", "runner-1", StringComparison.Ordinal).Replace("\"workFolder\": \"_work\"", "\"workFolder\": \"/srv/work\", \"disableUpdate\": true", StringComparison.Ordinal));
        var listing = Listing(new RegisteredRunner(7, "runner-1") { CustomLabels = ["gpu", "big"], HasDefaultLabels = false });
        _fixture.RegistrationSources.Add(listing);
        _fixture.Configure = o => o.Runners[0].Organization = null;
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        // the listener deletes .runner after a 404; GitHub no longer lists the runner
        File.Delete(Runner.File(".runner"));
        listing.FindAsync(default!, default).ReturnsForAnyArgs((RegisteredRunner?)null);
        _fixture.Reconfigurer.ClearReceivedCalls();

        // act: a new process (cron, restart) with only the runner directory
        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal("runner-1", Assert.Single(results).RunnerName);
        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(),
            Arg.Is<RunnerRegistration>(r =>
                r.Name == "runner-1" && r.Url == "https://github.com/acme" && r.Id == 7 && r.RunnerGroup == "Default"
                && r.WorkFolder == "/srv/work" && r.DisableUpdate && r.LabelsKnown && r.Labels.SequenceEqual(new[] { "gpu", "big" }) && r.NoDefaultLabels),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_RegistrationPolicyRunnerDeletedOnGitHub_ComesBackWithLabelsLearnedAtHealthyChecks()
    {
        // arrange: healthy checks under the registration policy (nothing to refresh), GitHub lists custom labels
        var listing = Listing(new RegisteredRunner(7, "runner-1") { CustomLabels = ["gpu"], HasDefaultLabels = false });
        _fixture.RegistrationSources.Add(listing);
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));
        var sut = _fixture.CreateSut();
        await sut.RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await sut.RunOnceAsync(CancellationToken.None);

        // GitHub deletes the runner (14 days offline); the listener deletes .runner
        listing.FindAsync(default!, default).ReturnsForAnyArgs((RegisteredRunner?)null);
        listing.FindAsync(default!, default, default).ReturnsForAnyArgs((RegisteredRunner?)null);
        File.Delete(Runner.File(".runner"));
        _fixture.SourceSays(ExpiryObservation.Invalid("github", "not listed"));

        // act
        var results = await sut.RunOnceAsync(CancellationToken.None);

        // assert: the labels and the no-default-labels choice come back from the record; one listing call per hour at most
        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(),
            Arg.Is<RunnerRegistration>(r => r.LabelsKnown && r.Labels.SequenceEqual(new[] { "gpu" }) && r.NoDefaultLabels && r.Id == 7),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
        // The healthy check takes an answer the source has (no older than the listing may be); the refresh asks now.
        await listing.Received(1).FindAsync(Arg.Any<RunnerContext>(), Arg.Is<TimeSpan>(age => age >= TimeSpan.FromHours(4.5) && age <= TimeSpan.FromHours(7.5)), Arg.Any<CancellationToken>());
        await listing.ReceivedWithAnyArgs(1).FindAsync(default!, default);
    }

    [Fact]
    public void ListingRefreshFor_RunnersThatStartTogether_AskForTheirLabelsAtTimesOfTheirOwn()
    {
        // host-0 … host-15, as a host's runners are named: names a digit apart must not land within minutes of each other.
        static TimeSpan[] Waits() => [.. Enumerable.Range(0, 16).Select(i => RunnerTokens.Refresh.RegistrationResolver.ListingRefreshFor(new RunnerContext($"host-{i}", $"/opt/runners/host-{i}", "https://github.com/acme", $"/var/lib/runner-token-refresh/host-{i}")))];
        var waits = Waits();

        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromHours(4.5), TimeSpan.FromHours(7.5)));
        Assert.True(waits.Max() - waits.Min() > TimeSpan.FromHours(2), $"spread over the 3 hours: {string.Join(", ", waits)}");
        Assert.True(waits.Select(w => (int)w.TotalMinutes / 15).Distinct().Count() >= 8, $"no crowd in a quarter of an hour: {string.Join(", ", waits)}");
        Assert.Equal(waits, Waits());
    }

    [Fact]
    public async Task RunOnceAsync_AfterACheck_RecordIsOwnerOnlyAndHoldsNoToken()
    {
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var record = _fixture.RecordFile();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(record));
        using var json = JsonDocument.Parse(File.ReadAllText(record));
        Assert.Equal("runner-1", json.RootElement.GetProperty("name").GetString());
        Assert.Equal(7, json.RootElement.GetProperty("id").GetInt64());
        Assert.Equal(Runner.Path, json.RootElement.GetProperty("directory").GetString());
        Assert.DoesNotContain(EngineFixture.Secret, File.ReadAllText(record), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_DryRun_WritesNoRecord()
    {
        _fixture.Configure = o => o.DryRun = true;

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.False(File.Exists(_fixture.RecordFile()));
    }

    [Fact]
    public async Task RunOnceAsync_Precedence_OptionsThenRunnerFileThenListingThenRecord()
    {
        Runner.Write(".runner", RunnerDirectory.RunnerJson.Replace("NAME", "runner-1", StringComparison.Ordinal).Replace("\"poolName\": \"Default\"", "\"poolName\": \"gpu-pool\", \"ephemeral\": true, \"monitorSocketAddress\": \"127.0.0.1:9999\"", StringComparison.Ordinal));
        _fixture.RegistrationSources.Add(Listing(new RegisteredRunner(7, "runner-1") { CustomLabels = ["from-github"], Ephemeral = false }));
        _fixture.Configure = o => o.Runners[0].DisableUpdate = true;

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(),
            Arg.Is<RunnerRegistration>(r =>
                r.RunnerGroup == "gpu-pool" && r.Ephemeral && r.DisableUpdate && r.MonitorSocketAddress == "127.0.0.1:9999"
                && r.Labels.SequenceEqual(new[] { "from-github" }) && !r.NoDefaultLabels),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_ConfiguredLabels_BeatTheListing()
    {
        _fixture.RegistrationSources.Add(Listing(new RegisteredRunner(7, "runner-1") { CustomLabels = ["from-github"] }));
        _fixture.Configure = o => o.Runners[0].Labels.Add("chosen");

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(), Arg.Is<RunnerRegistration>(r => r.Labels.SequenceEqual(new[] { "chosen" })), Arg.Any<RegistrationToken>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_NobodyKnowsTheLabels_SaysSoAndPassesNone()
    {
        var failing = Substitute.For<IRunnerRegistrationSource>();
        failing.FindAsync(default!, default).ThrowsAsyncForAnyArgs(new HttpRequestException("connection refused"));
        failing.FindAsync(default!, default, default).ThrowsAsyncForAnyArgs(new HttpRequestException("connection refused"));
        _fixture.RegistrationSources.Add(failing);

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Any<RunnerContext>(),
            Arg.Is<RunnerRegistration>(r => !r.LabelsKnown && r.Labels.Count == 0 && r.Origins.Any(o => o.Contains("connection refused", StringComparison.Ordinal))),
            Arg.Any<RegistrationToken>(),
            Arg.Any<CancellationToken>());
        Assert.Contains(_fixture.LogLines, l => l.Contains("labels unknown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_RunnerReRegisteredElsewhereSinceStart_FailsWithoutReconfiguring()
    {
        var sut = _fixture.CreateSut();
        Runner.Write(".runner", RunnerDirectory.RunnerJson.Replace("NAME", "someone-else", StringComparison.Ordinal));

        var results = await sut.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains("registered as 'someone-else'", results[0].Reason, StringComparison.Ordinal);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunOnceAsync_BusyUnknownAndRegistrationValid_FailsWithoutTokenOrStop(bool probeThrows)
    {
        var probe = Substitute.For<IRunnerBusyProbe>();
        if (probeThrows)
        {
            probe.GetBusyStateAsync(default!, default).ThrowsAsyncForAnyArgs(new HttpRequestException("timeout"));
        }
        else
        {
            probe.GetBusyStateAsync(default!, default).ReturnsForAnyArgs(RunnerBusyState.Unknown);
        }

        _fixture.BusyProbes.Add(probe);

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains("not stopping it on a guess", results[0].Reason, StringComparison.Ordinal);
        await _fixture.Sink.ReceivedWithAnyArgs(1).RecordRefreshFailedAsync(default!, default, default, default);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_BusyUnknownAndRegistrationInvalid_Refreshes()
    {
        var probe = Substitute.For<IRunnerBusyProbe>();
        probe.GetBusyStateAsync(default!, default).ReturnsForAnyArgs(RunnerBusyState.Unknown);
        _fixture.BusyProbes.Add(probe);
        _fixture.SourceSays(ExpiryObservation.Invalid("github", "not listed"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
    }

    private static IRunnerRegistrationSource Listing(RegisteredRunner? runner)
    {
        var source = Substitute.For<IRunnerRegistrationSource>();
        source.FindAsync(default!, default).ReturnsForAnyArgs(runner);
        source.FindAsync(default!, default, default).ReturnsForAnyArgs(runner);
        return source;
    }
}

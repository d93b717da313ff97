using Microsoft.Extensions.Logging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

public sealed partial class SystemdReconfigurerTests
{
    [Fact]
    public async Task ReconfigureAsync_NoLabelsConfigured_PassesTheLabelsASourceKnows()
    {
        var source = LabelSource(["gpu", "large-disk"]);
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);

        await sut.ReconfigureAsync();

        var configure = sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure");
        Assert.Equal("gpu,large-disk", configure.ValueOf("--labels"));
        Assert.DoesNotContain(sut.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("label", StringComparison.Ordinal));
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Message.Contains("keeps the custom labels gpu,large-disk from", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_NoLabelsConfigured_AsksTheSourceBeforeStoppingOrRemoving()
    {
        var source = Substitute.For<IRunnerLabelSource>();
        int? commandsRunBefore = null;
        SystemdHarness? harness = null;
        source.GetCustomLabelsAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            commandsRunBefore = harness!.Machine.Sequence.Count;
            return new ValueTask<IReadOnlyList<string>?>(["gpu"]);
        });
        using var sut = harness = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);

        await sut.ReconfigureAsync();

        Assert.Equal(0, commandsRunBefore);
        await source.Received(1).GetCustomLabelsAsync(Arg.Is<RunnerContext>(r => r.Name == sut.Runner.Name), Arg.Any<CancellationToken>());
        Assert.Equal("gpu", sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").ValueOf("--labels"));
    }

    [Fact]
    public async Task ReconfigureAsync_FirstSourceDoesNotKnow_UsesTheNextAnswer()
    {
        var unknown = LabelSource(null);
        var knows = LabelSource(["arm64"]);
        var later = LabelSource(["never-used"]);
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [unknown, knows, later]);

        await sut.ReconfigureAsync();

        Assert.Equal("arm64", sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").ValueOf("--labels"));
        await later.DidNotReceiveWithAnyArgs().GetCustomLabelsAsync(default!, default);
    }

    [Fact]
    public async Task ReconfigureAsync_SourceSaysNoCustomLabels_PassesNoLabelsAndDoesNotWarn()
    {
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [LabelSource([])]);

        await sut.ReconfigureAsync();

        Assert.Null(sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").ValueOf("--labels"));
        Assert.DoesNotContain(sut.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("default labels only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_LabelSourceFails_ReRegistersWithoutLabelsAndWarnsMasked()
    {
        var source = Substitute.For<IRunnerLabelSource>();
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);
        source.GetCustomLabelsAsync(default!, default).ThrowsAsyncForAnyArgs(
            new HttpRequestException($"502 Bad Gateway for token {sut.RegistrationToken}"));

        await sut.ReconfigureAsync();

        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Null(sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").ValueOf("--labels"));
        var warning = Assert.Single(sut.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("default labels only", StringComparison.Ordinal));
        Assert.Contains("502 Bad Gateway", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RegistrationToken, sut.EverythingVisible(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_RetryAfterTheRunnerWasRemoved_KeepsTheLabelsTheSourceGaveBefore()
    {
        var source = Substitute.For<IRunnerLabelSource>();
        source.GetCustomLabelsAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>()).Returns(
            new ValueTask<IReadOnlyList<string>?>(["gpu"]),
            new ValueTask<IReadOnlyList<string>?>((IReadOnlyList<string>?)null));
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);
        sut.Machine.Runner.ConfigSh.Fail("configure", "Http response code: InternalServerError");
        await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());
        sut.Machine.Runner.ConfigSh.Heal();

        await sut.ReconfigureAsync();

        var configures = sut.Machine.Runner.ConfigSh.Calls.Where(c => c.Command == "configure").ToList();
        Assert.Equal(["gpu", "gpu"], configures.Select(c => c.ValueOf("--labels")));
        await source.Received(2).GetCustomLabelsAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>());
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Message.Contains("remembered from an earlier attempt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_LabelsConfigured_DoesNotAskTheSources()
    {
        var source = LabelSource(["from-github"]);
        using var sut = new SystemdHarness(labelSources: [source]);

        await sut.ReconfigureAsync();

        Assert.Equal("linux,gpu", sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").ValueOf("--labels"));
        await source.DidNotReceiveWithAnyArgs().GetCustomLabelsAsync(default!, default);
    }

    [Fact]
    public async Task ReconfigureAsync_CancelledWhileAskingForLabels_ThrowsAndChangesNothing()
    {
        using var cancellation = new CancellationTokenSource();
        var source = Substitute.For<IRunnerLabelSource>();
        source.GetCustomLabelsAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            cancellation.Cancel();
            call.Arg<CancellationToken>().ThrowIfCancellationRequested();
            return new ValueTask<IReadOnlyList<string>?>(["gpu"]);
        });
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);
        var before = sut.Machine.Runner.Snapshot();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.ReconfigureAsync(cancellation.Token));

        Assert.Empty(sut.Machine.Sequence);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
    }

    [Fact]
    public async Task DescribePlanAsync_NoLabelsConfigured_SaysWhichLabelsAreKeptAndFromWhere()
    {
        var source = LabelSource(["gpu", "large-disk"]);
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, default);

        var text = string.Join('\n', plan);
        Assert.Contains($"keeps the custom labels gpu,large-disk from {source.GetType().Name}", plan[0], StringComparison.Ordinal);
        Assert.Contains("--replace --labels gpu,large-disk --runnergroup Default", text, StringComparison.Ordinal);
        Assert.DoesNotContain("default labels only", text, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Sequence);
    }

    [Fact]
    public async Task DescribePlanAsync_NoSourceKnows_KeepsTheWarning()
    {
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [LabelSource(null)]);

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, default);

        Assert.Contains(plan, line => line.StartsWith("note: ", StringComparison.Ordinal) && line.Contains("default labels only", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("--labels", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribePlanAsync_LabelSourceFails_StillDescribesThePlanWithTheFailure()
    {
        var source = Substitute.For<IRunnerLabelSource>();
        source.GetCustomLabelsAsync(default!, default).ThrowsAsyncForAnyArgs(new InvalidOperationException("No GitHub credential found"));
        using var sut = new SystemdHarness(shapeRunner: WithoutLabels, labelSources: [source]);

        var plan = await sut.Reconfigurer.DescribePlanAsync(sut.Runner, default);

        Assert.Contains(plan, line => line.Contains("config.sh --unattended", StringComparison.Ordinal) && !line.Contains("--labels", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.StartsWith("note: ", StringComparison.Ordinal) && line.Contains("No GitHub credential found", StringComparison.Ordinal));
    }

    private static RunnerContext WithoutLabels(RunnerContext runner) =>
        new(runner.Name, runner.Directory, runner.Url, runner.StateDirectory);

    private static IRunnerLabelSource LabelSource(IReadOnlyList<string>? labels)
    {
        var source = Substitute.For<IRunnerLabelSource>();
        source.GetCustomLabelsAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>()).Returns(new ValueTask<IReadOnlyList<string>?>(labels));
        return source;
    }
}

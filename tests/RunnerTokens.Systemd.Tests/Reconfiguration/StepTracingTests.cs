using System.Diagnostics;
using RunnerTokens.TestKit.Telemetry;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

/// <summary>A span per step of the re-registration, children of the engine's refresh span, for a trace that shows where the time went.</summary>
public sealed class StepTracingTests
{
    [Fact]
    public async Task ReconfigureAsync_EveryStepInOrder_EachASpanNamingIt()
    {
        using var sut = new SystemdHarness();
        using var recorder = new ActivityRecorder();

        await sut.ReconfigureAsync();

        var steps = recorder.Stopped.Where(a => a.OperationName == RunnerTokenRefreshTelemetry.StepActivity).ToList();
        Assert.Equal(sut.Get<ReconfigurationSequence>().Steps.Select(s => s.Name), steps.Select(s => s.GetTagItem(RunnerTokenRefreshTelemetry.StepTag)));
        Assert.All(steps, s => Assert.Equal("runner-1", s.GetTagItem(RunnerTokenRefreshTelemetry.RunnerNameTag)));
        Assert.All(steps, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigureFails_ItsSpanInErrorWithoutTheToken()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Runner.ConfigSh.Fail("configure", "Http response code: NotFound");
        using var recorder = new ActivityRecorder();

        await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        var failed = Assert.Single(recorder.Stopped, a => a.Status == ActivityStatusCode.Error);
        Assert.Equal("configure", failed.GetTagItem(RunnerTokenRefreshTelemetry.StepTag));
        Assert.Contains("NotFound", failed.StatusDescription, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RegistrationToken, failed.StatusDescription, StringComparison.Ordinal);
    }
}

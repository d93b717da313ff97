namespace RunnerTokens.GitHub.Tests.Api;

/// <summary>Counts the process's timers, so it runs alone.</summary>
[CollectionDefinition(nameof(ProcessTimersCollection), DisableParallelization = true)]
public sealed class ProcessTimersCollection;

/// <summary>What a GitHub call leaves behind once it has its answer.</summary>
[Collection(nameof(ProcessTimersCollection))]
public sealed class GitHubApiClientTimerTests
{
    [Fact]
    public async Task SendAsync_ManyCallsAnswered_LeaveNoTimerBehind()
    {
        // A daemon asks GitHub about each of its 1,000 runners at its start. Octokit's own per-request limit left a
        // 100 s timer queued for each answered call (and the answer alive with it), which then woke the daemon 1,000
        // times; each call's own limit must end with the call.
        const int Calls = 50;
        await using var h = await GitHubHarness.StartWithPatAsync();
        for (var i = 0; i <= Calls; i++)
        {
            h.Api.AddScope($"orgs/acme-{i}");
        }

        // One call first: the handler, its connection and the process's own timers are made once.
        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme-0"), CancellationToken.None);
        var before = Timer.ActiveCount;

        for (var i = 1; i <= Calls; i++)
        {
            await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope($"orgs/acme-{i}"), CancellationToken.None);
        }

        Assert.Equal(Calls + 1, h.Api.Requests.Count);
        var left = Timer.ActiveCount - before;
        Assert.True(left < 10, $"{left} more timers queued after {Calls} answered calls than before them");
    }
}

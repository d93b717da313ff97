using CliWrap;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Container;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// samples/ContainerRunner as a consumer builds it (RunnerTokens.Core and RunnerTokens.GitHub packed, by
/// PackageReference), with a reconfigurer of its own that replaces a runner's container: run against the fake GitHub
/// API and a strict fake <c>docker</c> on PATH.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class ContainerSampleTests(PackedPackages packages) : IDisposable
{
    private const string Scope = "orgs/acme";
    private const string Runner = "ci-runner-1";
    private const string Container = "actions-runner-ci-runner-1";
    private const string Image = "ghcr.io/acme/actions-runner:2.336.0";
    private const string Pat = "ghp_containerSampleTestCredential000000";

    private readonly TempDirectory _temp = new("container-sample");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ContainerRunner_StoppedContainer_DryRunDescribesThenRunReplacesItWithTheTokenInDockersEnvironmentOnly()
    {
        // arrange: the runner's container exited (its listener gave up: GitHub deleted the registration); GitHub lists it offline.
        var dll = await packages.BuildSampleAsync("ContainerRunner");
        await using var github = await FakeGitHubApi.StartAsync();
        github.AddToken(Pat);
        github.AddRunner(Scope, Runner, status: "offline");
        var docker = FakeDocker.Create(_temp.Combine("bin"), _temp.Combine("docker"));
        docker.AddContainer(Container, Image, running: false, exitCode: 1, new Dictionary<string, string> { ["RUNNER_TOKEN"] = "AOLDTOKEN" },
            "The runner registration has been deleted from the server, please re-configure.\n");

        // act 1: a dry run describes the replacement and changes nothing.
        string dryRunOutput;
        await using (var dryRun = RunningProcess.Start(Sample(dll, docker, github, dryRun: true)))
        {
            await dryRun.WaitForOutputAsync("dry run, step 5 of 5 would be:", TimeSpan.FromSeconds(60));
            dryRunOutput = dryRun.Output;
        }

        Assert.Contains($"invalid: container {Container} exited with code 1: its runner stopped", dryRunOutput, StringComparison.Ordinal);
        Assert.Contains($"would be: remove: docker rm -f {Container}", dryRunOutput, StringComparison.Ordinal);
        Assert.Contains(
            $"would be: start: RUNNER_TOKEN=*** docker run -d --name {Container} -e RUNNER_NAME={Runner} -e RUNNER_URL=https://github.com/acme -e RUNNER_LABELS=docker,gpu -e RUNNER_TOKEN {Image}",
            dryRunOutput,
            StringComparison.Ordinal);
        Assert.All(docker.Calls, call => Assert.StartsWith("[inspect]", call, StringComparison.Ordinal));
        Assert.Equal("exited 1", docker.State(Container));
        Assert.DoesNotContain(github.IssuedTokens, t => t.Kind == FakeGitHubApi.RegistrationKind);

        // act 2: the service replaces the container, and at its next check (a second later) leaves the running one alone.
        string output;
        await using (var service = RunningProcess.Start(Sample(dll, docker, github, dryRun: false)))
        {
            await service.WaitForOutputAsync($"Runner {Runner}: refreshed", TimeSpan.FromSeconds(60));
            await service.WaitForOutputAsync($"Runner {Runner}: source=container seconds_left=n/a action=none", TimeSpan.FromSeconds(30));
            output = service.Output;
        }

        // assert: a fresh container, started with the token GitHub just issued, in its environment and nowhere on a command line or in a log.
        var token = Assert.Single(github.IssuedTokens, t => t.Kind == FakeGitHubApi.RegistrationKind).Token;
        Assert.Contains($"container {Container} replaced; its runner is listening for jobs", output, StringComparison.Ordinal);
        Assert.Equal("running 0", docker.State(Container));
        var environment = docker.Environment(Container);
        Assert.Equal(token, environment["RUNNER_TOKEN"]);
        Assert.Equal(Runner, environment["RUNNER_NAME"]);
        Assert.Equal("https://github.com/acme", environment["RUNNER_URL"]);
        Assert.Equal("docker,gpu", environment["RUNNER_LABELS"]);

        var calls = docker.Calls.Where(call => !call.StartsWith("[inspect]", StringComparison.Ordinal) && !call.StartsWith("[logs]", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                $"[rm] [-f] [{Container}] ",
                $"[run] [-d] [--name] [{Container}] [-e] [RUNNER_NAME={Runner}] [-e] [RUNNER_URL=https://github.com/acme] [-e] [RUNNER_LABELS=docker,gpu] [-e] [RUNNER_TOKEN] [{Image}] ",
            ],
            calls);
        Assert.DoesNotContain(docker.Calls, call => call.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(token, dryRunOutput + output, StringComparison.Ordinal);
        Assert.DoesNotContain(Pat, dryRunOutput + output, StringComparison.Ordinal);
    }

    /// <summary>The sample, configured by variables as an operator would: one runner, the fake GitHub, the fake docker first on PATH.</summary>
    private Command Sample(string dll, FakeDocker docker, FakeGitHubApi github, bool dryRun) =>
        Cli.Wrap("dotnet")
            .WithArguments([dll])
            .WithWorkingDirectory(_temp.Path)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["PATH"] = $"{docker.BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}",
                ["GITHUB_TOKEN"] = Pat,
                ["GH_TOKEN"] = null,
                ["RUNNER_TOKEN"] = null,
                ["RunnerTokens__DryRun"] = dryRun ? "true" : "false",
                ["RunnerTokens__CheckInterval"] = "00:00:01",
                ["RunnerTokens__MetricsFile"] = _temp.Combine("metrics.json"),
                ["RunnerTokens__Runners__0__Name"] = Runner,
                ["RunnerTokens__Runners__0__Url"] = "https://github.com/acme",
                ["RunnerTokens__Runners__0__Directory"] = _temp.Combine("state", Runner),
                ["RunnerTokens__Runners__0__Labels__0"] = "docker",
                ["RunnerTokens__Runners__0__Labels__1"] = "gpu",
                ["GitHub__ApiUrl"] = github.BaseUrl.ToString(),
                ["GitHub__UseGitHubCli"] = "false",
                ["Container__Image"] = Image,
            })
            .WithValidation(CommandResultValidation.None);
}

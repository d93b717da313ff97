using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary>The two ways the README installs the command: a .NET tool, and a self-contained single-file binary.</summary>
public sealed class PublishTests : IDisposable
{
    private static readonly string _project = Path.Combine(HostProcess.RepositoryRoot, "src", "RunnerTokens.Host", "RunnerTokens.Host.csproj");
    private readonly TempDirectory _temp = new("publish");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task DotnetTool_PacksInstallsAndRuns()
    {
        var packages = _temp.Combine("packages");
        var tools = _temp.Combine("tools");
        await DotnetAsync("pack", _project, "-c", "Release", "-o", packages);

        await DotnetAsync("tool", "install", "--tool-path", tools, "--add-source", packages, "RunnerTokens.Host");
        var version = await Cli.Wrap(Path.Combine(tools, "runner-token-refresh")).WithArguments(["--version"]).ExecuteBufferedAsync();

        Assert.Matches(@"^\d+\.\d+\.\d+", version.StandardOutput);
        PackageChecks.AssertReadmeAndSymbols(Directory.GetFiles(packages, "RunnerTokens.Host.*.nupkg").Single(), "runner-token-refresh");
    }

    [Fact]
    public async Task SingleFile_PublishesOneExecutableThatRunsTheDryRun()
    {
        var output = _temp.Combine("out");
        await DotnetAsync(
            "publish", _project, "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-o", output);

        var result = await Cli.Wrap(Path.Combine(output, "runner-token-refresh"))
            .WithArguments(["--check-and-refresh", "--dry-run", "--runner-dir", "samples/actions-runner", "--log-file", "/dev/null"])
            .WithWorkingDirectory(HostProcess.RepositoryRoot)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("action=refresh (dry run)", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(output), f => f.EndsWith(".dll", StringComparison.Ordinal));
    }

    private static async Task DotnetAsync(params string[] arguments)
    {
        var result = await Cli.Wrap("dotnet").WithArguments(arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }
}

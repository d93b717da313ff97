namespace RunnerTokens.Host.Tests;

/// <summary>
/// The packages' public signatures (their PublicAPI files, which the analyzer keeps equal to the code) name only
/// .NET's and Microsoft.Extensions' types: an embedder takes no third-party dependency through our API, and we can
/// change what we build on without breaking theirs.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] ThirdParty = ["Octokit.", "Polly.", "System.IO.Abstractions.", "CliWrap.", "Serilog.", "System.CommandLine."];

    [Theory]
    [InlineData("RunnerTokens.Core")]
    [InlineData("RunnerTokens.GitHub")]
    [InlineData("RunnerTokens.Systemd")]
    public void PublicApi_NamesNoThirdPartyType(string package)
    {
        var lines = Directory.EnumerateFiles(Path.Combine(HostProcess.RepositoryRoot, "src", package), "PublicAPI.*.txt")
            .SelectMany(File.ReadAllLines)
            .ToList();

        var leaking = lines.Where(line => ThirdParty.Any(prefix => line.Contains(prefix, StringComparison.Ordinal))).ToList();

        Assert.NotEmpty(lines);
        Assert.Empty(leaking);
    }
}

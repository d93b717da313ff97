using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The three packages packed once for every sample test (<see cref="PackedPackagesCollection"/>) into
/// <c>artifacts/packages</c>, under a version of this run's own, so no package of an earlier run in the NuGet cache is
/// taken instead; a sample is built against them with <c>-p:RunnerTokensVersion=</c><see cref="Version"/>.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public static readonly string[] Packages = ["Core", "GitHub", "Systemd"];

    public string Version { get; } = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public static string Folder { get; } = Path.Combine(HostProcess.RepositoryRoot, "artifacts", "packages");

    /// <summary>The package file of <c>RunnerTokens.<paramref name="package"/></c>.</summary>
    public string PackageFile(string package) => Path.Combine(Folder, $"RunnerTokens.{package}.{Version}.nupkg");

    public async Task InitializeAsync()
    {
        foreach (var package in Packages)
        {
            await DotnetAsync(HostProcess.RepositoryRoot, "pack", $"src/RunnerTokens.{package}", "-c", "Release", "-o", Folder, $"-p:Version={Version}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Builds the sample <c>samples/<paramref name="sample"/></c> against these packages; returns its dll.</summary>
    public async Task<string> BuildSampleAsync(string sample)
    {
        var folder = Path.Combine(HostProcess.RepositoryRoot, "samples", sample);
        await DotnetAsync(HostProcess.RepositoryRoot, "build", folder, $"-p:RunnerTokensVersion={Version}");
        return Path.Combine(folder, "bin", "Debug", "net10.0", sample + ".dll");
    }

    public static async Task DotnetAsync(string directory, params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await Cli.Wrap("dotnet").WithArguments(arguments).WithWorkingDirectory(directory)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.StandardOutput}{result.StandardError}");
    }
}

/// <summary>The tests that build a sample from the packed packages: one packing for all, and one sample at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}

using System.Buffers.Binary;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary>The ways the README installs the command: a .NET tool, a self-contained single-file binary, and the Native AOT binary's link.</summary>
public sealed class PublishTests : IDisposable
{
    /// <summary>ELF's <c>e_type</c> of an executable linked at a fixed address (<c>ET_EXEC</c>; a position-independent one is <c>ET_DYN</c>, 3).</summary>
    private const ushort ElfExecutable = 2;

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

    /// <summary>
    /// The Native AOT binary (CI's, given by <c>RUNNERTOKENS_HOST_BINARY</c>) uses its type data where it lies in the
    /// file: linked at a fixed address and not dehydrated, so no process writes 4 MB of it out before <c>Main</c>
    /// (README: Performance; the health check takes half the time and the one-shot 2 MiB less). Without the variable
    /// there is no native binary to look at.
    /// </summary>
    [Fact]
    public void NativeBinary_IsLinkedToUseItsTypeDataInPlace()
    {
        if (HostProcess.NativeBinary is not { } binary)
        {
            return;
        }

        var (type, sections) = ReadElf(binary);

        Assert.True(type == ElfExecutable, $"{binary} is ELF type {type}, not {ElfExecutable} (EXEC): it was linked position-independent; see PositionIndependentExecutable in RunnerTokens.Host.csproj");
        Assert.DoesNotContain(".hydrated", sections);
        Assert.Contains("__managedcode", sections);
    }

    /// <summary>An ELF64 little-endian file's type (<c>e_type</c>) and its sections' names.</summary>
    private static (ushort Type, IReadOnlyList<string> Sections) ReadElf(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan(0, 6).SequenceEqual("\u007fELF\u0002\u0001"u8), $"{path} is not a 64-bit little-endian ELF file");
        var span = bytes.AsSpan();
        var type = BinaryPrimitives.ReadUInt16LittleEndian(span[0x10..]);
        var headers = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var size = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3E..]);
        var names = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[(headers + (namesIndex * size) + 0x18)..]);

        var sections = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var name = names + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(headers + (i * size))..]);
            sections.Add(Encoding.ASCII.GetString(span[name..][..span[name..].IndexOf((byte)0)]));
        }

        return (type, sections);
    }

    private static async Task DotnetAsync(params string[] arguments)
    {
        var result = await Cli.Wrap("dotnet").WithArguments(arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }
}

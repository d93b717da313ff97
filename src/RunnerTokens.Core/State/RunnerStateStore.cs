using System.IO.Abstractions;
using System.Text.Json;

namespace RunnerTokens.State;

/// <summary>Reads and writes <c>state.json</c> in a runner's state folder, atomically and for the owner only.</summary>
internal sealed class RunnerStateStore(IFileSystem fileSystem)
{
    public const string FileName = "state.json";

    public string PathFor(RunnerContext runner) => runner.Files.StateFile;

    /// <summary>Reads the state; a missing file is a fresh state, a corrupt one is reported in <paramref name="problem"/>.</summary>
    public RunnerState Read(RunnerContext runner, out string? problem)
    {
        var path = PathFor(runner);
        problem = null;
        if (!fileSystem.File.Exists(path))
        {
            return new RunnerState();
        }

        try
        {
            var bytes = UnixFileStatus.ReadAllBytes(fileSystem, path);
            return JsonSerializer.Deserialize(Utf8Bom.Strip(bytes).Span, StateJsonContext.Default.RunnerState)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException ex)
        {
            problem = $"state file {path} is corrupt: {ex.Message}";
        }
        catch (IOException ex)
        {
            problem = $"state file {path} cannot be read: {ex.Message}";
        }
        catch (UnauthorizedAccessException ex)
        {
            problem = $"state file {path} cannot be read: {ex.Message}";
        }

        return new RunnerState();
    }

    public void Write(RunnerContext runner, RunnerState state)
    {
        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, runner.StateDirectory);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(state, StateJsonContext.Default.RunnerState);
        AtomicFile.Write(fileSystem, PathFor(runner), bytes, AtomicFile.OwnerOnly);
    }
}

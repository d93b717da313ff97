using System.Diagnostics;

namespace RunnerTokens.TestKit;

/// <summary>
/// Named pipes planted where a file is expected: opening one to read blocks until a writer comes, which is the fault
/// the refresher must not wait on. MockFileSystem cannot model them, so they are made with <c>mkfifo</c>.
/// </summary>
public static class Fifo
{
    /// <summary>How long an operation that must not block gets before the test calls it blocked.</summary>
    public static readonly TimeSpan NoBlockLimit = TimeSpan.FromSeconds(10);

    /// <summary>Makes a FIFO at <paramref name="path"/>, replacing any file there.</summary>
    public static void Make(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} exited {mkfifo.ExitCode}");
        }
    }

    /// <summary>Runs <paramref name="read"/> on the thread pool; fails the test when it is still blocked after <see cref="NoBlockLimit"/>.</summary>
    public static async Task<T> WithinLimitAsync<T>(Func<T> read) =>
        await Task.Run(read).WaitAsync(NoBlockLimit);

    /// <inheritdoc cref="WithinLimitAsync{T}(Func{T})"/>
    public static async Task<T> WithinLimitAsync<T>(Func<Task<T>> read) =>
        await Task.Run(read).WaitAsync(NoBlockLimit);

    /// <inheritdoc cref="WithinLimitAsync{T}(Func{T})"/>
    public static async Task WithinLimitAsync(Func<Task> action) =>
        await Task.Run(action).WaitAsync(NoBlockLimit);
}

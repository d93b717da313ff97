using System.Diagnostics;

namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// Makes a folder and files unwritable even for root (<c>chattr +i</c>), as a read-only file system would: a file in
/// the folder cannot be created, moved or deleted, and an immutable file's bytes, mode and time cannot change. Undone
/// on dispose. Needs root (CAP_LINUX_IMMUTABLE) and a file system with the attribute (ext4, xfs, btrfs; not tmpfs).
/// </summary>
public sealed class ImmutableFiles : IDisposable
{
    private readonly List<string> _paths;

    private ImmutableFiles(List<string> paths)
    {
        _paths = paths;
    }

    /// <summary>Makes <paramref name="paths"/> immutable; null when this machine cannot (not root, no chattr, tmpfs).</summary>
    /// <param name="paths">Folders or files.</param>
    /// <returns>The handle that undoes it, or null.</returns>
    public static ImmutableFiles? TryCreate(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var done = new List<string>();
        foreach (var path in paths)
        {
            if (!Chattr("+i", path))
            {
                done.ForEach(p => Chattr("-i", p));
                return null;
            }

            done.Add(path);
        }

        return new ImmutableFiles(done);
    }

    /// <summary>Makes them writable again; safe to repeat.</summary>
    public void Dispose()
    {
        foreach (var path in _paths)
        {
            Chattr("-i", path);
        }

        _paths.Clear();
    }

    private static bool Chattr(string change, string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("chattr", [change, path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

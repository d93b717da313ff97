using System.IO.Abstractions;

namespace RunnerTokens.State;

/// <summary>
/// An exclusive lock on one runner, held in its state folder while the engine repairs, checks and refreshes it,
/// so a cron run and a daemon (two processes) never work on one runner at once. On Unix the handle takes an
/// advisory <c>flock</c>, which the kernel releases when the process dies: a crash leaves no stale lock.
/// </summary>
internal sealed class RunnerLock(IFileSystem fileSystem, TimeProvider timeProvider)
{
    public const string FileName = "refresh.lock";

    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; returns null when another holder kept it.</summary>
    public async Task<IDisposable?> AcquireAsync(RunnerContext runner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, runner.StateDirectory);
        var path = fileSystem.Path.Combine(runner.StateDirectory, FileName);
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.IsSymbolicLink(path))
        {
            // Opening it would open (and create) whatever it points to.
            throw new IOException($"{path} is a symbolic link; remove it (the lock file is made anew)");
        }

        var deadline = timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                return fileSystem.FileStream.New(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (timeProvider.GetUtcNow() < deadline)
            {
                await Task.Delay(_pollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}

using System.IO.Abstractions;

namespace RunnerTokens.Shared;

/// <summary>
/// The stamp of a runner's <c>.runner</c> as one check of the runner took it, for every part of the check that asks:
/// the expiry source and the registration record both look at it, and a second <c>stat</c> of the same path was a
/// ninth of a check's system calls. The engine marks each check of the runner (<see cref="Begin"/>,
/// <see cref="End"/>); outside one (another caller of a source) the file is stamped at each call.
/// </summary>
/// <remarks>
/// A stamp taken earlier in the same check can only be older than the file: a reader that keys what it reads with it
/// reads again at the next check, when the stamp differs. Only the machine's own file system is looked at.
/// </remarks>
internal sealed class CheckStamps
{
    private readonly Lock _gate = new();
    private bool _checking;
    private string? _path;
    private FileStamp? _stamp;

    /// <summary>A check of the runner begins: the stamp is taken anew, and kept until <see cref="End"/>.</summary>
    public void Begin()
    {
        lock (_gate)
        {
            _checking = true;
            _path = null;
        }
    }

    /// <summary>The check has ended: outside a check every call takes the stamp anew.</summary>
    public void End()
    {
        lock (_gate)
        {
            _checking = false;
            _path = null;
        }
    }

    /// <summary>The stamp of <paramref name="path"/> (the runner's <c>.runner</c>): one <c>stat</c> a check; null when missing, or on a test double.</summary>
    public FileStamp? RunnerFile(IFileSystem fileSystem, string path)
    {
        if (!UnixFileStatus.IsReal(fileSystem))
        {
            return null;
        }

        lock (_gate)
        {
            if (_checking && _path == path)
            {
                return _stamp;
            }
        }

        var stamp = UnixFileStatus.Stamp(path);
        lock (_gate)
        {
            if (_checking)
            {
                _path = path;
                _stamp = stamp;
            }
        }

        return stamp;
    }
}

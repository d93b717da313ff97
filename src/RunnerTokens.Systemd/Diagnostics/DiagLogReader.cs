using System.Globalization;
using System.IO.Abstractions;
using System.Text;

namespace RunnerTokens.Systemd;

/// <summary>
/// Reads the tail of the newest <c>_diag/Runner_*.log</c> and tells whether the listener's latest word is that the
/// registration was deleted from the server. A deletion older than the current <c>.runner</c> (written by the last
/// registration) or followed by a connection is stale, so a re-registration never loops on an old message.
/// </summary>
internal sealed class DiagLogReader(IFileSystem fileSystem)
{
    /// <summary>How much of the newest log is read: its end only, so every check stays cheap.</summary>
    public const int TailBytes = 64 * 1024;

    public const string DiagFolderName = "_diag";

    private static readonly string[] _deletedMarkers =
    [
        "registration has been deleted from the server",
        "no longer exists on the server",
    ];

    private static readonly string[] _connectedMarkers = ["Listening for Jobs", "Connected to GitHub"];

    public DiagLogVerdict Read(string runnerDirectory)
    {
        var folder = fileSystem.Path.Combine(runnerDirectory, DiagFolderName);
        if (!fileSystem.Directory.Exists(folder))
        {
            return new(false, $"no listener log: {folder} does not exist");
        }

        var newest = fileSystem.DirectoryInfo.New(folder)
            .EnumerateFiles("Runner_*.log")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (newest is null)
        {
            return new(false, $"no listener log: no Runner_*.log in {folder}");
        }

        var lines = ReadTail(newest.FullName);
        var deletedAt = -1;
        var connectedAt = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (_deletedMarkers.Any(m => lines[i].Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                deletedAt = i;
            }
            else if (_connectedMarkers.Any(m => lines[i].Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                connectedAt = i;
            }
        }

        if (deletedAt < 0)
        {
            return new(false, $"{newest.Name} logs no deletion of the registration");
        }

        var line = lines[deletedAt].Trim();
        if (connectedAt > deletedAt)
        {
            return new(false, $"{newest.Name} logs a deletion, but the listener connected after it");
        }

        var loggedAt = LineTime(line) ?? new DateTimeOffset(newest.LastWriteTimeUtc, TimeSpan.Zero);
        var runnerFile = fileSystem.Path.Combine(runnerDirectory, RunnerFiles.Runner);
        if (fileSystem.File.Exists(runnerFile))
        {
            var registeredAt = new DateTimeOffset(fileSystem.File.GetLastWriteTimeUtc(runnerFile), TimeSpan.Zero);
            if (loggedAt < registeredAt)
            {
                return new(false, string.Create(
                    CultureInfo.InvariantCulture,
                    $"{newest.Name} logs a deletion at {loggedAt:u}, before the current registration ({RunnerFiles.Runner} written {registeredAt:u}): stale"));
            }
        }

        return new(true, string.Create(CultureInfo.InvariantCulture, $"{newest.Name} at {loggedAt:u}: \"{line}\""));
    }

    private List<string> ReadTail(string path)
    {
        using var stream = fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - TailBytes);
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - start];
        stream.ReadExactly(buffer);
        var text = Encoding.UTF8.GetString(buffer);
        var lines = text.Split('\n').ToList();
        if (start > 0 && lines.Count > 0)
        {
            // The first line is cut in the middle.
            lines.RemoveAt(0);
        }

        return lines;
    }

    /// <summary>Reads the listener's time stamp, as in <c>[2026-11-25 12:00:02Z INFO Runner]</c>.</summary>
    private static DateTimeOffset? LineTime(string line) =>
        line.Length > 21 && line[0] == '['
        && DateTimeOffset.TryParseExact(
            line.AsSpan(1, 20),
            "yyyy-MM-dd HH:mm:ss'Z'",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var at)
            ? at
            : null;
}

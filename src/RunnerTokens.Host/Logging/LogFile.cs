using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.File;

namespace RunnerTokens.Host.Logging;

/// <summary>
/// The log file beside the console (<c>--log-file</c>, <c>LOG_FILE</c>): the terminal's lines, through Serilog's file
/// sink, rolled over at <see cref="FileSizeLimitBytes"/> (<c>refresh_001.log</c>, …) with <see cref="RetainedFiles"/>
/// kept, readable by the owner and its group only. Under journald there is none unless one is asked for: the journal
/// has every line already.
/// </summary>
internal static class LogFile
{
    /// <summary>The file when none is given and the output does not go to the journal (cron, a terminal).</summary>
    public const string DefaultPath = "/var/log/runner-token-refresh/refresh.log";

    /// <summary>The path that turns the file off.</summary>
    public const string None = "/dev/null";

    public const long FileSizeLimitBytes = 10 * 1024 * 1024;

    public const int RetainedFiles = 5;

    private const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private const UnixFileMode FolderPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>The file to log to: the one asked for, else none under journald, else the default; null for none.</summary>
    public static string? Choose(string? asked, bool journal) =>
        string.IsNullOrWhiteSpace(asked) ? (journal ? null : DefaultPath)
        : asked == None ? null
        : asked;

    /// <summary>
    /// Opens the log file, or returns null: the console still logs. A file that was asked for and cannot be written is
    /// reported on standard error; the default one is used only where it may be, as the seed script did.
    /// </summary>
    public static Logger? Open(string path, bool asked, LogEventLevel minimumLevel, bool verbose, TextWriter error, long fileSizeLimitBytes = FileSizeLimitBytes)
    {
        try
        {
            var fullPath = Path.GetFullPath(path);
            var folder = Path.GetDirectoryName(fullPath)!;
            var create = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                if (!Directory.Exists(folder))
                {
                    Directory.CreateDirectory(folder, FolderPermissions);
                }

                create.UnixCreateMode = FilePermissions;
            }

            // Open once here, so that an unwritable path is reported now rather than swallowed by the sink later, and so
            // that a new file is never readable by others, even for a moment.
            using (new FileStream(fullPath, create))
            {
            }

            return new LoggerConfiguration()
                .MinimumLevel.Is(minimumLevel)
                .WriteTo.File(
                    new OperatorFileFormatter(verbose),
                    fullPath,
                    fileSizeLimitBytes: fileSizeLimitBytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: RetainedFiles,
                    hooks: new OwnerAndGroupOnly())
                .CreateLogger();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            if (asked)
            {
                error.WriteLine($"runner-token-refresh: cannot write the log file '{path}' ({ex.Message}); logging to the console only. Set LOG_FILE or --log-file to a writable path.");
            }

            return null;
        }
    }

    /// <summary>Each file the sink opens (a rolled-over one too) gets mode 0640, whatever the umask.</summary>
    private sealed class OwnerAndGroupOnly : FileLifecycleHooks
    {
        public override Stream OnFileOpened(string path, Stream underlyingStream, System.Text.Encoding encoding)
        {
            if (OperatingSystem.IsWindows())
            {
                return underlyingStream;
            }

            try
            {
                if (File.GetUnixFileMode(path) != FilePermissions)
                {
                    File.SetUnixFileMode(path, FilePermissions);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Someone else's file, appended to: its mode is theirs to choose.
            }

            return underlyingStream;
        }
    }
}

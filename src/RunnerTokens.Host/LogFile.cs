using Serilog;
using Serilog.Core;

namespace RunnerTokens.Host;

/// <summary>The seed script's log file (<c>--log-file</c>, <c>LOG_FILE</c>), beside the console, through Serilog's file sink.</summary>
internal static class LogFile
{
    private const string Template = "{Timestamp:yyyy-MM-dd'T'HH:mm:ssK} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Opens the log file, or says on standard error why not and returns null: the console still logs.</summary>
    public static Logger? Open(string? path, TextWriter error)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            var fullPath = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);

            // Open once here so an unwritable path is reported now, not swallowed by the sink later.
            using (File.Open(fullPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            return new LoggerConfiguration()
                .MinimumLevel.Information()
                .WriteTo.File(fullPath, outputTemplate: Template, formatProvider: System.Globalization.CultureInfo.InvariantCulture, shared: true)
                .CreateLogger();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"runner-token-refresh: cannot write the log file '{path}' ({ex.Message}); logging to the console only. Set LOG_FILE or --log-file to a writable path.");
            return null;
        }
    }
}

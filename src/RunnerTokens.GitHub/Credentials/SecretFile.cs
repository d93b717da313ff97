using System.Globalization;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>Reads a secret file afresh at each use (a rotated secret is picked up), warning once if others may read it.</summary>
internal sealed class SecretFile(ILogger<SecretFile> logger)
{
    private const UnixFileMode OthersMayRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The file's text, trimmed; or an error sentence naming the file and why it cannot be used.</summary>
    public string? TryRead(string what, string path, out string? error)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            WarnIfOpen(what, path);
            if (text.Length == 0)
            {
                error = $"{what} '{path}' is empty";
                return null;
            }

            error = null;
            return text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{what} '{path}' cannot be read: {ex.Message}";
            return null;
        }
    }

    private void WarnIfOpen(string what, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & OthersMayRead) == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (!_warned.Add(path))
            {
                return;
            }
        }

        Log.SecretFileOpen(logger, what, path, Convert.ToString((int)mode, 8).PadLeft(3, '0').ToString(CultureInfo.InvariantCulture));
    }
}

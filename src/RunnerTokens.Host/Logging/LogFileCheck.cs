namespace RunnerTokens.Host.Logging;

/// <summary>
/// The preflight line for the log file the command writes (<c>--log-file</c>, <c>LOG_FILE</c>, or the default outside
/// the journal): it can be appended to by this user. A log file that cannot be written spoils no refresh, so a failure
/// never blocks one; under the journal with no log file asked for, there is nothing to check.
/// </summary>
internal sealed class LogFileCheck(string? path) : IRunnerPreflightCheck
{
    public const string Title = "log file is writable";

    public bool GuardsRefresh => false;

    public ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return new([]);
        }

        try
        {
            var fullPath = Path.GetFullPath(path);
            var existed = File.Exists(fullPath);
            using (File.Open(fullPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(fullPath);
            }

            return new([PreflightResult.Ok(Title, fullPath)]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new([PreflightResult.Failed(
                Title,
                $"{path}: {ex.Message}",
                "create its folder owned by this user (install -d -o runner -g runner -m 750 /var/log/runner-token-refresh), or set LOG_FILE (--log-file) to a writable file",
                blocksRefresh: false)]);
        }
    }
}

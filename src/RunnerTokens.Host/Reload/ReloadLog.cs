using Microsoft.Extensions.Logging;

namespace RunnerTokens.Host.Reload;

internal static partial class ReloadLog
{
    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "SIGHUP received: reading the settings again ({Source})")]
    public static partial void Reloading(ILogger logger, string source);

    [LoggerMessage(EventId = 511, Level = LogLevel.Error, Message = "The settings were not reloaded, the runners are checked as before: {Problem}")]
    public static partial void ReloadRefused(ILogger logger, string problem);

    [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "{Settings} changed, which a reload does not apply: restart the service for it (systemctl restart)")]
    public static partial void NeedsRestart(ILogger logger, string settings);
}

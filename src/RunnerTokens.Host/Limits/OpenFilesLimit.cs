using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.Host.Limits;

/// <summary>
/// Raises the daemon's soft limit on open files to its hard limit, as systemd.exec(5) asks of a program that does not
/// use <c>select()</c> (<c>LimitNOFILE=</c>: services start with a soft limit of 1024 and a hard one of 524288). The
/// daemon keeps two handles open per runner between checks (the runner's lock), so 1,000 runners need more than 1024;
/// the JIT runtime raises the limit itself at start, Native AOT does not. A limit it cannot raise only keeps fewer
/// handles open (the others are opened at each check).
/// </summary>
internal static partial class OpenFilesLimit
{
    /// <summary>Raises the soft limit to the hard one and logs both at debug; nothing on Windows.</summary>
    public static void Raise(ILogger logger)
    {
        if (OperatingSystem.IsWindows() || NativeFile.OpenFilesLimits() is not { } limits)
        {
            return;
        }

        if (limits.Soft >= limits.Hard)
        {
            // Already as high as it goes: no call (a strict seccomp filter may refuse setrlimit).
            Log.Unchanged(logger, limits.Soft);
            return;
        }

        if (NativeFile.SetOpenFilesLimits(limits.Hard, limits.Hard) == 0)
        {
            Log.Raised(logger, limits.Soft, limits.Hard);
        }
        else
        {
            Log.NotRaised(logger, limits.Soft, limits.Hard, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 530, Level = LogLevel.Debug, Message = "Open files: soft limit raised from {Before} to the hard limit, {After}")]
        public static partial void Raised(ILogger logger, ulong before, ulong after);

        [LoggerMessage(EventId = 531, Level = LogLevel.Debug, Message = "Open files: soft limit {Limit}, already the hard limit")]
        public static partial void Unchanged(ILogger logger, ulong limit);

        [LoggerMessage(EventId = 532, Level = LogLevel.Debug, Message = "Open files: soft limit {Limit} not raised to the hard limit {Maximum} ({Problem}); fewer runners' lock handles are kept open")]
        public static partial void NotRaised(ILogger logger, ulong limit, ulong maximum, string problem);
    }
}

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
    // System.Native's PAL_RLIMIT_NOFILE (the same on every Unix).
    private const int OpenFiles = 9;

    /// <summary>Raises the soft limit to the hard one and logs both at debug; nothing on Windows.</summary>
    public static void Raise(ILogger logger)
    {
        if (OperatingSystem.IsWindows() || GetRLimit(OpenFiles, out var limit) != 0)
        {
            return;
        }

        if (limit.Current >= limit.Maximum)
        {
            // Already as high as it goes: no call (a strict seccomp filter may refuse setrlimit).
            Log.Unchanged(logger, limit.Current);
            return;
        }

        var raised = limit with { Current = limit.Maximum };
        if (SetRLimit(OpenFiles, in raised) == 0)
        {
            Log.Raised(logger, limit.Current, raised.Current);
        }
        else
        {
            Log.NotRaised(logger, limit.Current, limit.Maximum, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_GetRLimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_SetRLimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in ResourceLimit limit);

    /// <summary>System.Native's <c>Rlimit</c>: the soft limit, then the hard one.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private record struct ResourceLimit(ulong Current, ulong Maximum);

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

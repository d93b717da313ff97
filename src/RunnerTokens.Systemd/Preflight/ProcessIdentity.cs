using System.Globalization;

namespace RunnerTokens.Systemd;

/// <summary>
/// Who this process is, as far as stopping and starting a unit goes: root or not, whether no-new-privileges is set
/// (then no setuid program, sudo included, gains anything), and how polkit names the process (pid, start time, uid).
/// Read from <c>/proc/self</c>: no native calls.
/// </summary>
internal sealed record ProcessIdentity(bool IsRoot, bool NoNewPrivileges, int ProcessId, string? StartTime, string? Uid)
{
    /// <summary>This process, read now.</summary>
    public static ProcessIdentity Current()
    {
        var status = TryRead("/proc/self/status");
        var stat = TryRead("/proc/self/stat");
        return Parse(Environment.IsPrivilegedProcess, Environment.ProcessId, status, stat);
    }

    /// <summary>Reads <c>/proc/PID/status</c> and <c>/proc/PID/stat</c> as given; a missing text leaves its fields unknown.</summary>
    internal static ProcessIdentity Parse(bool isRoot, int processId, string? status, string? stat)
    {
        var noNewPrivileges = false;
        string? uid = null;
        foreach (var line in (status ?? string.Empty).Split('\n'))
        {
            if (line.StartsWith("NoNewPrivs:", StringComparison.Ordinal))
            {
                noNewPrivileges = line["NoNewPrivs:".Length..].Trim() == "1";
            }
            else if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                // Real, effective, saved, filesystem: polkit names a process by its real uid.
                uid = line["Uid:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            }
        }

        return new ProcessIdentity(isRoot, noNewPrivileges, processId, StartTimeOf(stat), uid);
    }

    /// <summary>The argument of <c>pkcheck --process</c>: <c>pid,start-time,uid</c>, which pkcheck(1) asks for, as pids are reused.</summary>
    public string PolkitProcess =>
        StartTime is null ? ProcessId.ToString(CultureInfo.InvariantCulture)
        : Uid is null ? string.Create(CultureInfo.InvariantCulture, $"{ProcessId},{StartTime}")
        : string.Create(CultureInfo.InvariantCulture, $"{ProcessId},{StartTime},{Uid}");

    /// <summary>Field 22 of <c>/proc/PID/stat</c>, counted after the command name, which may hold spaces and parentheses.</summary>
    private static string? StartTimeOf(string? stat)
    {
        var end = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || end < 0)
        {
            return null;
        }

        var fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // After "pid (comm)" come field 3 (state) onwards: field 22 is the 20th.
        return fields.Length >= 20 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? fields[19] : null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

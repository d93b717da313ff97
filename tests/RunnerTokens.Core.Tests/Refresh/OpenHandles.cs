namespace RunnerTokens.Tests.Refresh;

/// <summary>What this test process has open, from <c>/proc/self/fd</c>: the handles a lock keeps between checks.</summary>
internal static class OpenHandles
{
    /// <summary>How many of this process's open handles are on <paramref name="path"/> or a file in it.</summary>
    public static int On(string path)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                // Closed meanwhile (the enumeration's own handle, another test's file).
                continue;
            }

            if (target is not null && (target == prefix || target.StartsWith(prefix + "/", StringComparison.Ordinal)))
            {
                count++;
            }
        }

        return count;
    }
}

using CliWrap.Buffered;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// Looks for every token the fake GitHub issued (and the PAT the run was given) everywhere a run leaves text another
/// person or process could read: its output, log file, metrics file, every file in the state folder and the runner
/// folder, config.sh's command lines and systemctl's command lines and environments.
/// </summary>
internal static class TokenScan
{
    /// <summary>Fails, naming the place (never the token), when any issued token or the PAT shows up.</summary>
    public static void AssertNoneLeaked(EndToEnd e2e, params BufferedCommandResult?[] results)
    {
        var secrets = e2e.Api.IssuedTokens.Select(t => t.Token).Append(EndToEnd.Token).Distinct().ToList();
        foreach (var (place, text) in Places(e2e, results))
        {
            foreach (var secret in secrets)
            {
                Assert.False(
                    text.Contains(secret, StringComparison.Ordinal),
                    $"a token ({secret[..Math.Min(4, secret.Length)]}…) leaked into {place}");
            }
        }
    }

    private static IEnumerable<(string Place, string Text)> Places(EndToEnd e2e, BufferedCommandResult?[] results)
    {
        foreach (var result in results.Where(r => r is not null))
        {
            yield return ("standard output", result!.StandardOutput);
            yield return ("standard error", result.StandardError);
        }

        foreach (var file in new[] { e2e.LogFile, e2e.MetricsFile }.Where(File.Exists).SelectMany(RegularFiles))
        {
            yield return (file, ReadShared(file));
        }

        foreach (var folder in new[] { e2e.Machine.StateDirectory, e2e.Machine.Runner.Path })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            // Regular files only (find -type f): a FIFO a test planted must not block the scan.
            foreach (var file in RegularFiles(folder))
            {
                yield return (file, ReadShared(file));
            }
        }

        yield return ("config.sh's command lines", string.Join('\n', e2e.Machine.Runner.ConfigSh.Calls.Select(c => c.CommandLine)));
        yield return ("systemctl's command lines", string.Join('\n', e2e.Machine.Systemctl.Calls));
        yield return ("systemctl's environment", e2e.Machine.Systemctl.EnvironmentRecord);
    }

    private static IEnumerable<string> RegularFiles(string path)
    {
        using var find = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("find", [path, "-type", "f", "-print0"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var listed = find.StandardOutput.ReadToEnd();
        find.WaitForExit();
        return listed.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

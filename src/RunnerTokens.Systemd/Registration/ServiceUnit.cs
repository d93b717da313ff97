using System.IO.Abstractions;

namespace RunnerTokens.Systemd;

/// <summary>Finds a runner's systemd unit: the option for the runner, else the name <c>svc.sh install</c> wrote to <c>.service</c>.</summary>
internal static class ServiceUnit
{
    /// <summary>The unit, and where its name came from; a null unit means the runner is not a service.</summary>
    public static (string? Unit, string Origin) Find(IFileSystem fileSystem, SystemdOptions options, RunnerContext runner)
    {
        // By name, or by directory: a host may know a runner only by its folder until .runner has named it.
        foreach (var key in new[] { runner.Name, runner.Directory })
        {
            if (options.Units.TryGetValue(key, out var configured) && !string.IsNullOrWhiteSpace(configured))
            {
                return (configured.Trim(), $"option Systemd:Units:{key}");
            }
        }

        // Never recompute the name: svc.sh cuts long names and adds a random suffix; only .service knows.
        foreach (var name in new[] { RunnerFiles.Service, RunnerFiles.ServiceAside })
        {
            var path = fileSystem.Path.Combine(runner.Directory, name);
            if (fileSystem.File.Exists(path))
            {
                var unit = fileSystem.File.ReadAllText(path).Trim();
                if (unit.Length > 0)
                {
                    return (unit, path);
                }
            }
        }

        return (null, $"no {RunnerFiles.Service} in {runner.Directory} and no Systemd:Units:{runner.Name} option");
    }
}

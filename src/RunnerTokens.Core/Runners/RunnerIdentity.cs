using System.Net;

namespace RunnerTokens.Runners;

/// <summary>How a runner's name and URL are compared and defaulted, as the runner's own <c>config.sh</c> does.</summary>
internal static class RunnerIdentity
{
    /// <summary>Whether two runner URLs name the same scope: GitHub's owner and host names ignore case, a trailing '/' is nothing.</summary>
    public static bool SameUrl(string left, string right) =>
        string.Equals(left.Trim().TrimEnd('/'), right.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>The name <c>config.sh</c> picks without <c>--name</c>: the machine name cut at the first dot.</summary>
    public static string DefaultName(string hostName)
    {
        var dot = hostName.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? hostName[..dot] : hostName;
    }

    public static string MachineName() => DefaultName(Dns.GetHostName());
}

using System.IO.Abstractions;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// The folder where the GitHub side keeps what must outlive a process (the rate limits GitHub announced, its last
/// answers with their ETags), shared by the daemon and every timer or cron run of the same user: the first set of
/// <see cref="GitHubOptions.StateDirectory"/>, the refresher's state folder, and <c>$STATE_DIRECTORY</c>.
/// </summary>
internal sealed class GitHubStateFolder(
    IOptions<GitHubOptions> options,
    IOptions<RunnerTokenRefreshOptions> refreshOptions,
    IEnvironmentVariables environment,
    IFileSystem fileSystem)
{
    public const string StateDirectoryVariable = "STATE_DIRECTORY";

    private readonly Lazy<string?> _path = new(() => Find(options.Value, RefreshStateDirectory(refreshOptions), environment, fileSystem));

    /// <summary>Gets the folder, or <see langword="null"/> when none is known (then everything is kept in memory only).</summary>
    public string? Path => _path.Value;

    /// <summary>The path of <paramref name="fileName"/> in the folder; <see langword="null"/> when there is no folder.</summary>
    public string? PathOf(string fileName) => Path is { } folder ? fileSystem.Path.Combine(folder, fileName) : null;

    private static string? RefreshStateDirectory(IOptions<RunnerTokenRefreshOptions> refresh)
    {
        try
        {
            return refresh.Value.StateDirectory;
        }
        catch (OptionsValidationException)
        {
            // The host validates the refresher's options at start; used without them (a tool, a test), there is no folder.
            return null;
        }
    }

    private static string? Find(GitHubOptions github, string? refreshStateDirectory, IEnvironmentVariables environment, IFileSystem fileSystem)
    {
        var folder = FirstSet(github.StateDirectory)
            ?? FirstSet(refreshStateDirectory)
            // systemd joins several StateDirectory= folders with ':'; the first is the refresher's.
            ?? FirstSet(environment.Get(StateDirectoryVariable)?.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault());
        return folder is null ? null : fileSystem.Path.GetFullPath(folder);

        static string? FirstSet(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

using System.ComponentModel;
using System.Text;
using CliWrap;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// Asks the GitHub CLI for its login's token (<c>gh auth token --hostname HOST</c>), with a time limit. The token is
/// read from standard output only and never shown; it is kept for a few minutes per host.
/// </summary>
internal sealed class GitHubCliTokenSource(IOptions<GitHubOptions> options, TimeProvider timeProvider, SecretMasker masker)
{
    internal static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(10);
    private readonly Dictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public async Task<(string? Token, string? Error)> GetAsync(string host, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_tokens.TryGetValue(host, out var kept) && kept.Until > timeProvider.GetUtcNow())
            {
                return (kept.Token, null);
            }
        }

        var gh = options.Value.GhPath;
        var output = new StringBuilder();
        var errors = new StringBuilder();
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var execution = Cli.Wrap(gh)
                .WithArguments(["auth", "token", "--hostname", host])
                .WithEnvironmentVariables(new Dictionary<string, string?> { ["GH_PROMPT_DISABLED"] = "1", ["NO_COLOR"] = "1" })
                .WithValidation(CommandResultValidation.None)
                .WithStandardInputPipe(PipeSource.Null)
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(errors))
                .ExecuteAsync(linked.Token);
            var result = await GraceAfterStop.WaitAsync(execution.Task, linked.Token, GraceAfterStop.Default).ConfigureAwait(false);
            var token = output.ToString().Trim();
            if (result.ExitCode != 0)
            {
                masker.Add(token);
                var said = masker.Apply(errors.ToString().Trim().Split('\n', 2)[0]);
                return (null, $"'{gh} auth token --hostname {host}' exited with code {result.ExitCode}{(said.Length > 0 ? ": " + said : string.Empty)}");
            }

            if (token.Length == 0 || token.Contains('\n', StringComparison.Ordinal))
            {
                return (null, $"'{gh} auth token --hostname {host}' printed no single token");
            }

            masker.Add(token);
            lock (_gate)
            {
                _tokens[host] = (token, timeProvider.GetUtcNow() + KeepFor);
            }

            return (token, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"'{gh} auth token' did not finish within {options.Value.RequestTimeout.TotalSeconds} s");
        }
        catch (TimeoutException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return (null, $"'{gh} auth token' did not finish within {options.Value.RequestTimeout.TotalSeconds} s and was killed; {ex.Message}: left behind");
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"'{gh}' cannot be run ({ex.Message}); install the GitHub CLI or set GitHub:GhPath");
        }
    }

    public void Forget(string host)
    {
        lock (_gate)
        {
            _tokens.Remove(host);
        }
    }
}

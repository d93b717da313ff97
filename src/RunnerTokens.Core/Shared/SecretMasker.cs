using System.Text.RegularExpressions;

namespace RunnerTokens.Shared;

/// <summary>
/// Replaces every token it was given (credentials, installation, registration and remove tokens), and anything shaped
/// like a GitHub token, in text bound for a log line or an exception message. Thread-safe.
/// </summary>
/// <remarks>Shared source: compiled into Core, and linked into GitHub and Systemd, where it stays internal.</remarks>
internal sealed partial class SecretMasker
{
    public const string Mask = "***";
    private const int MaxSecrets = 4096;

    private readonly Lock _gate = new();
    private readonly LinkedList<string> _secrets = new();

    public void Add(string? secret)
    {
        // No real token is that short; masking a short string would garble every message it occurs in.
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        lock (_gate)
        {
            if (_secrets.Contains(secret))
            {
                return;
            }

            _secrets.AddFirst(secret);
            if (_secrets.Count > MaxSecrets)
            {
                _secrets.RemoveLast();
            }
        }
    }

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        lock (_gate)
        {
            foreach (var secret in _secrets)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return TokenShape().Replace(text, Mask);
    }

    // Personal access tokens (classic ghp_, fine-grained github_pat_), OAuth (gho_), user-to-server (ghu_),
    // installation (ghs_) and refresh (ghr_) tokens, and a bearer credential in a quoted header.
    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{20,})|(?<=Bearer\s)[A-Za-z0-9._~+/=-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex TokenShape();
}

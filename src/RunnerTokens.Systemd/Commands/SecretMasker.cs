namespace RunnerTokens.Systemd;

/// <summary>Replaces known secrets (the tokens of one refresh) in text that may reach a log or an exception.</summary>
internal sealed class SecretMasker
{
    public const string Mask = "***";

    private readonly List<string> _secrets = [];

    public void Add(string? secret)
    {
        if (!string.IsNullOrEmpty(secret) && !_secrets.Contains(secret, StringComparer.Ordinal))
        {
            _secrets.Add(secret);
        }
    }

    public string Apply(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}

using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The GitHub App's installation tokens, kept in <see cref="FileName"/> in the state folder between processes, so a timer
/// or cron run reuses the token an earlier run fetched (it lasts an hour) instead of asking GitHub for a new one in each
/// run that calls GitHub. Each token is sealed (AES-GCM) with a key derived from the App's private key, so the file is
/// of use only to whoever can read that key, who can mint a token at will anyway; a copy of the state folder, or a
/// process that may read it but not the key, learns no token. Written atomically, mode 600; read only when it is a
/// regular file of this user that nobody else may read or write. A token GitHub refuses is removed from it at once; one
/// sealed with another key (the App's key was rotated) is not used.
/// </summary>
internal sealed class InstallationTokenFile(GitHubStateFolder stateFolder, IFileSystem fileSystem, ILogger<InstallationTokenFile> logger)
{
    /// <summary>The file's name in the state folder.</summary>
    public const string FileName = "github-app-tokens.json";

    // A few installations' tokens; a larger file is not ours, and is not read.
    private const int MaxFileBytes = 64 * 1024;
    private const UnixFileMode OthersMayAccess = (UnixFileMode)0b000_111_111;

    // AES-GCM's nonce and tag, around the token's bytes.
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly Lock _gate = new();
    private int _warnedRead;
    private int _warnedWrite;

    /// <summary>The key that seals the tokens, derived from the App's private key (its PEM text) with HKDF-SHA256.</summary>
    public static byte[] SealingKey(string privateKeyPem) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(privateKeyPem), 32, salt: [], info: "RunnerTokens installation token file v1"u8.ToArray());

    /// <summary>
    /// The token kept for <paramref name="key"/>, with when it expires; null when none is kept, the file may not be
    /// used, or the token was sealed with another key.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt)? Find(string key, byte[] sealingKey)
    {
        lock (_gate)
        {
            return ReadFile().TryGetValue(key, out var kept) && kept.ExpiresAt is { } expiresAt && Open(kept.Sealed!, key, sealingKey) is { } token
                ? (token, expiresAt)
                : null;
        }
    }

    /// <summary>Keeps <paramref name="token"/> for <paramref name="key"/>, sealed, dropping every token that expired before <paramref name="now"/>.</summary>
    public void Remember(string key, string token, DateTimeOffset expiresAt, DateTimeOffset now, byte[] sealingKey) =>
        Update(tokens =>
        {
            foreach (var expired in tokens.Where(e => e.Value.ExpiresAt <= now).Select(e => e.Key).ToList())
            {
                tokens.Remove(expired);
            }

            tokens[key] = new KeptToken { Sealed = Seal(token, key, sealingKey), ExpiresAt = expiresAt };
            return true;
        });

    /// <summary>Removes the token kept for <paramref name="key"/> (GitHub refused it).</summary>
    public void Forget(string key) => Update(tokens => tokens.Remove(key));

    // nonce | ciphertext | tag, in base64; the entry's key is the associated data, so a sealed token cannot be moved to another entry.
    private static string Seal(string token, string key, byte[] sealingKey)
    {
        var plain = Encoding.UTF8.GetBytes(token);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(sealingKey, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), Encoding.UTF8.GetBytes(key));
        CryptographicOperations.ZeroMemory(plain);
        return Convert.ToBase64String(sealedBytes);
    }

    private static string? Open(string sealedText, string key, byte[] sealingKey)
    {
        var sealedBytes = new byte[(sealedText.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(sealedText, sealedBytes, out var length) || length <= NonceBytes + TagBytes)
        {
            return null;
        }

        var plain = new byte[length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(sealingKey, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length, TagBytes), plain, Encoding.UTF8.GetBytes(key));
            return Encoding.UTF8.GetString(plain);
        }
        catch (CryptographicException)
        {
            // Sealed with another key (the App's key was rotated), or altered.
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <param name="change">Changes the tokens; true when it changed anything (only then is the file written).</param>
    private void Update(Func<Dictionary<string, KeptToken>, bool> change)
    {
        if (stateFolder.PathOf(FileName) is not { } path)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                var tokens = ReadFile();
                if (change(tokens))
                {
                    StateFile.Write(fileSystem, path, new TokenFile { Tokens = tokens }, InstallationTokenFileJsonContext.Default.TokenFile);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (Interlocked.Exchange(ref _warnedWrite, 1) == 0)
                {
                    Log.InstallationTokenNotSaved(logger, path, ex.Message);
                }
            }
        }
    }

    // A missing, unreadable or refused file keeps nothing; the next token fetched replaces it.
    private Dictionary<string, KeptToken> ReadFile()
    {
        var tokens = new Dictionary<string, KeptToken>(StringComparer.Ordinal);
        if (stateFolder.PathOf(FileName) is not { } path || !fileSystem.File.Exists(path))
        {
            return tokens;
        }

        try
        {
            if (ReadBytes(path, out var problem) is not { } bytes)
            {
                if (problem is not null && Interlocked.Exchange(ref _warnedRead, 1) == 0)
                {
                    Log.InstallationTokenFileRefused(logger, path, problem);
                }

                return tokens;
            }

            if (JsonSerializer.Deserialize(bytes, InstallationTokenFileJsonContext.Default.TokenFile) is not { Version: TokenFile.CurrentVersion, Tokens: { } kept })
            {
                return tokens;
            }

            foreach (var (key, token) in kept)
            {
                if (key.Length > 0 && token is { Sealed.Length: > 0, ExpiresAt: not null })
                {
                    tokens[key] = token;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // Unreadable or not JSON (a crash mid-write cannot cause that: the file is replaced whole): nothing kept.
        }

        return tokens;
    }

    /// <summary>
    /// The file's bytes, read through the handle whose owner and mode were checked: only a regular file of this user that
    /// nobody else may read or write, not through a link, of a sane size. Null, with the reason when it is the file's
    /// kind or mode, otherwise. A test double's file is read as it is.
    /// </summary>
    private byte[]? ReadBytes(string path, out string? problem)
    {
        problem = null;
        if (!UnixFileStatus.IsReal(fileSystem) || OperatingSystem.IsWindows())
        {
            var mock = fileSystem.File.ReadAllBytes(path);
            return mock.Length <= MaxFileBytes ? mock : null;
        }

        if (UnixFileStatus.IsSymbolicLink(path))
        {
            problem = "it is a symbolic link";
            return null;
        }

        if (UnixFileStatus.NotRegularProblem(path) is { } notRegular)
        {
            problem = notRegular;
            return null;
        }

        using var handle = File.OpenHandle(path);
        if (UnixFileStatus.Stamp(handle, out var ownRegularFile, out var permissions) is null || !ownRegularFile)
        {
            problem = "it is not a regular file of this user";
            return null;
        }

        if ((permissions & OthersMayAccess) != 0)
        {
            problem = $"its mode is {Convert.ToString((int)permissions, 8)}, but it holds tokens and must be 600";
            return null;
        }

        var length = RandomAccess.GetLength(handle);
        if (length is 0 or > MaxFileBytes)
        {
            return null;
        }

        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length && RandomAccess.Read(handle, bytes.AsSpan(read), read) is var n and > 0)
        {
            read += n;
        }

        return read == bytes.Length ? bytes : null;
    }

    /// <summary>The file's content: the tokens per App, API root and installation.</summary>
    internal sealed class TokenFile
    {
        public const int CurrentVersion = 1;

        public int Version { get; set; } = CurrentVersion;

        public Dictionary<string, KeptToken>? Tokens { get; set; }
    }

    /// <summary>One installation token, sealed, and when it expires.</summary>
    internal sealed class KeptToken
    {
        public string? Sealed { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(InstallationTokenFile.TokenFile))]
internal sealed partial class InstallationTokenFileJsonContext : JsonSerializerContext;

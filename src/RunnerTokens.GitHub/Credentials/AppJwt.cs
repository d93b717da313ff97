using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RunnerTokens.GitHub;

/// <summary>
/// The GitHub App's JSON Web Token: RS256, <c>iat</c> 60 s in the past (for clock drift), <c>exp</c> 9 minutes ahead
/// (GitHub allows at most 10), <c>iss</c> the App's client id or id. Signed with the framework's RSA: nothing reflective.
/// </summary>
internal static class AppJwt
{
    public static readonly TimeSpan IssuedBefore = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);
    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"RS256","typ":"JWT"}""");

    public static string Create(string issuer, RSA key, DateTimeOffset now)
    {
        var payload = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteNumber("iat", (now - IssuedBefore).ToUnixTimeSeconds());
            writer.WriteNumber("exp", (now + Lifetime).ToUnixTimeSeconds());
            writer.WriteString("iss", issuer);
            writer.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(Header) + "." + Base64Url.EncodeToString(payload.WrittenSpan);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}

using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>The bounds declared by attributes on <see cref="GitHubOptions"/>, checked by generated code (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class GitHubOptionsDataValidator : IValidateOptions<GitHubOptions>;

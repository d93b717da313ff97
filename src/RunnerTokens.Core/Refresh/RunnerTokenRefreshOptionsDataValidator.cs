using Microsoft.Extensions.Options;

namespace RunnerTokens.Refresh;

/// <summary>The bounds declared by attributes on the options, checked by generated code (no reflection, AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class RunnerTokenRefreshOptionsDataValidator : IValidateOptions<RunnerTokenRefreshOptions>;

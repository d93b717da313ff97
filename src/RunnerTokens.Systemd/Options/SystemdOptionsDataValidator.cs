using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>The bounds declared by attributes on <see cref="SystemdOptions"/>, checked by generated code (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class SystemdOptionsDataValidator : IValidateOptions<SystemdOptions>;

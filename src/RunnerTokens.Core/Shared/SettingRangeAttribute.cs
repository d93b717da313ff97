using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace RunnerTokens.Shared;

/// <summary>
/// A range check whose message names the setting, its value and what is allowed, so a bad value can be fixed from
/// the error alone. Handles <see cref="int"/> and <see cref="TimeSpan"/> without type converters (AOT-safe).
/// </summary>
/// <remarks>Shared source: compiled into Core, and linked into GitHub and Systemd, where it stays internal.</remarks>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SettingRangeAttribute : ValidationAttribute
{
    private readonly IComparable _minimum;
    private readonly IComparable _maximum;

    public SettingRangeAttribute(int minimum, int maximum)
    {
        _minimum = minimum;
        _maximum = maximum;
    }

    /// <param name="minimum">The least time allowed, as <c>[d.]hh:mm:ss</c>.</param>
    /// <param name="maximum">The greatest time allowed, as <c>[d.]hh:mm:ss</c>.</param>
    public SettingRangeAttribute(string minimum, string maximum)
    {
        _minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        _maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Gets or sets the configuration section the setting is read from (<c>GitHub</c>, <c>Systemd</c>): the message then
    /// names it as <c>Section:Property</c>, as the user writes it. Unset, the message uses the validator's display name.
    /// </summary>
    public string? Section { get; set; }

    public override bool IsValid(object? value) =>
        value is IComparable comparable
        && value.GetType() == _minimum.GetType()
        && comparable.CompareTo(_minimum) >= 0
        && comparable.CompareTo(_maximum) <= 0;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (IsValid(value))
        {
            return ValidationResult.Success;
        }

        var setting = Section is null
            ? validationContext.DisplayName
            : $"{Section}:{validationContext.MemberName ?? validationContext.DisplayName}";
        var message = string.Format(
            CultureInfo.InvariantCulture,
            "{0} = {1} is not allowed: it must be from {2} to {3}.",
            setting,
            Show(value),
            Show(_minimum),
            Show(_maximum));
        return new ValidationResult(message, validationContext.MemberName is { } member ? [member] : null);
    }

    private static string Show(object? value) => value switch
    {
        TimeSpan time => string.Create(CultureInfo.InvariantCulture, $"{time:c} ({time.TotalSeconds:0.###} s)"),
        null => "(null)",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace RunnerTokens.GitHub;

/// <summary>
/// A range check whose message names the setting, its value and what is allowed. Handles <see cref="int"/> and
/// <see cref="TimeSpan"/> without type converters (AOT-safe). Core's equivalent is internal to Core.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class GitHubSettingRangeAttribute : ValidationAttribute
{
    private readonly IComparable _minimum;
    private readonly IComparable _maximum;

    public GitHubSettingRangeAttribute(int minimum, int maximum)
    {
        _minimum = minimum;
        _maximum = maximum;
    }

    /// <param name="minimum">The least time allowed, as <c>[d.]hh:mm:ss</c>.</param>
    /// <param name="maximum">The greatest time allowed, as <c>[d.]hh:mm:ss</c>.</param>
    public GitHubSettingRangeAttribute(string minimum, string maximum)
    {
        _minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        _maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

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

        var message = string.Format(
            CultureInfo.InvariantCulture,
            "GitHub:{0} = {1} is not allowed: it must be from {2} to {3}.",
            validationContext.MemberName ?? validationContext.DisplayName,
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

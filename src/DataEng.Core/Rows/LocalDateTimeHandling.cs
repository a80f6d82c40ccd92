namespace DataEng.Core;

/// <summary>What happens to a <see cref="DateTime"/> whose <see cref="DateTime.Kind"/> is <see cref="DateTimeKind.Local"/>.</summary>
public enum LocalDateTimeHandling
{
    /// <summary>Writing the value fails with a <see cref="DataFormatException"/> naming the property and row: the
    /// instant it denotes depends on the machine's time zone.</summary>
    Reject,

    /// <summary>The value is converted with <see cref="DateTime.ToUniversalTime"/> (the machine's time zone) before it is stored.</summary>
    ConvertToUtc,
}

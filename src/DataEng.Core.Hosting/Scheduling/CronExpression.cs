using System.Globalization;

namespace DataEng.Core.Hosting;

/// <summary>
/// A five-field cron expression: <c>minute hour day-of-month month day-of-week</c>. Each field is <c>*</c>, a value,
/// a range <c>a-b</c>, a step <c>*/n</c>, <c>a-b/n</c> or <c>a/n</c>, or a comma-separated list of those. Months accept
/// <c>JAN</c>–<c>DEC</c>, days of week <c>SUN</c>–<c>SAT</c> (0 and 7 are Sunday). As in classic cron, when both
/// day-of-month and day-of-week are restricted (neither starts with <c>*</c>), a day matches if either matches.
/// </summary>
/// <remarks>
/// Occurrences are computed in a time zone (UTC by default). A local time skipped by a daylight-saving change does
/// not occur; a local time that happens twice occurs once, at its first instant.
/// </remarks>
public sealed class CronExpression
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] _minutes;
    private readonly bool[] _hours;
    private readonly bool[] _daysOfMonth;
    private readonly bool[] _months;
    private readonly bool[] _daysOfWeek;
    private readonly bool _anyDayOfMonth;
    private readonly bool _anyDayOfWeek;
    private readonly string _text;

    private CronExpression(string text, bool[] minutes, bool[] hours, bool[] daysOfMonth, bool[] months, bool[] daysOfWeek, bool anyDayOfMonth, bool anyDayOfWeek)
    {
        _text = text;
        _minutes = minutes;
        _hours = hours;
        _daysOfMonth = daysOfMonth;
        _months = months;
        _daysOfWeek = daysOfWeek;
        _anyDayOfMonth = anyDayOfMonth;
        _anyDayOfWeek = anyDayOfWeek;
    }

    /// <summary>Parses a cron expression.</summary>
    /// <param name="expression">The expression, for example <c>*/15 6-18 * * MON-FRI</c>.</param>
    /// <returns>The expression.</returns>
    /// <exception cref="FormatException">The expression is not valid; the message lists every problem.</exception>
    public static CronExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return TryParse(expression, out var result, out var error) ? result : throw new FormatException(error);
    }

    /// <summary>Tries to parse a cron expression.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="result">The expression, when valid.</param>
    /// <param name="error">What is wrong (every problem), when not valid.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? expression, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CronExpression? result, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        result = null;
        var fields = (expression ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"Cron expression '{expression}' has {fields.Length} fields; expected 5: minute hour day-of-month month day-of-week (for example '*/15 * * * *').";
            return false;
        }

        var problems = new List<string>();
        var minutes = ParseField(fields[0], "minute", 0, 59, null, problems);
        var hours = ParseField(fields[1], "hour", 0, 23, null, problems);
        var daysOfMonth = ParseField(fields[2], "day-of-month", 1, 31, null, problems);
        var months = ParseField(fields[3], "month", 1, 12, MonthNames, problems);
        var daysOfWeek = ParseField(fields[4], "day-of-week", 0, 7, DayNames, problems);
        if (problems.Count > 0)
        {
            error = $"Cron expression '{expression}' is not valid: " + string.Join("; ", problems) + ".";
            return false;
        }

        daysOfWeek[0] |= daysOfWeek[7];
        result = new CronExpression(string.Join(' ', fields), minutes, hours, daysOfMonth, months, daysOfWeek[..7], fields[2].StartsWith('*'), fields[4].StartsWith('*'));
        error = null;
        return true;
    }

    /// <summary>Returns the first occurrence strictly after <paramref name="after"/>.</summary>
    /// <param name="after">The instant to start from.</param>
    /// <param name="timeZone">The time zone the fields are read in, or <see langword="null"/> for UTC.</param>
    /// <returns>The next occurrence, with the zone's offset, or <see langword="null"/> when the expression never
    /// matches (for example <c>0 0 30 2 *</c>).</returns>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after, TimeZoneInfo? timeZone = null)
    {
        var zone = timeZone ?? TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var start = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);

        // 28 years cover every combination of leap year and weekday.
        var end = start.Date.AddYears(28);
        for (var day = start.Date; day <= end; day = day.AddDays(1))
        {
            if (!_months[day.Month])
            {
                day = new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1).AddDays(-1);
                continue;
            }

            if (!DayMatches(day))
            {
                continue;
            }

            var first = day == start.Date ? start.TimeOfDay : TimeSpan.Zero;
            for (var hour = first.Hours; hour < 24; hour++)
            {
                if (!_hours[hour])
                {
                    continue;
                }

                for (var minute = hour == first.Hours ? first.Minutes : 0; minute < 60; minute++)
                {
                    if (!_minutes[minute])
                    {
                        continue;
                    }

                    var wall = day.AddHours(hour).AddMinutes(minute);
                    if (zone.IsInvalidTime(wall))
                    {
                        continue;
                    }

                    var offset = zone.IsAmbiguousTime(wall) ? zone.GetAmbiguousTimeOffsets(wall).Max() : zone.GetUtcOffset(wall);
                    var candidate = new DateTimeOffset(wall, offset);
                    if (candidate > after)
                    {
                        return candidate;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Returns the expression in its normalised text form (single spaces).</summary>
    /// <returns>The expression.</returns>
    public override string ToString() => _text;

    private bool DayMatches(DateTime day)
    {
        var dom = _daysOfMonth[day.Day];
        var dow = _daysOfWeek[(int)day.DayOfWeek];
        return _anyDayOfMonth || _anyDayOfWeek ? dom && dow : dom || dow;
    }

    private static bool[] ParseField(string field, string name, int min, int max, string[]? names, List<string> problems)
    {
        var set = new bool[max + 1];
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0)
            {
                problems.Add($"{name} '{field}' has an empty list item");
                continue;
            }

            var slash = part.IndexOf('/', StringComparison.Ordinal);
            var range = slash < 0 ? part : part[..slash];
            var step = 1;
            if (slash >= 0 && (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1))
            {
                problems.Add($"{name} '{part}' has an invalid step (a whole number of at least 1)");
                continue;
            }

            int from, to;
            if (range == "*")
            {
                (from, to) = (min, max == 7 ? 6 : max);
            }
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                to = 0;
                if (!TryValue(dash < 0 ? range : range[..dash], names, min, out from)
                    || (dash >= 0 && !TryValue(range[(dash + 1)..], names, min, out to)))
                {
                    problems.Add($"{name} '{part}' is not a number{(names is null ? "" : " or name")} or range");
                    continue;
                }

                if (dash < 0)
                {
                    to = slash >= 0 ? (max == 7 ? 6 : max) : from;
                }
                if (from < min || to > max || from > to)
                {
                    problems.Add($"{name} '{part}' is out of range {min}-{max}");
                    continue;
                }
            }

            for (var v = from; v <= to; v += step)
            {
                set[v] = true;
            }
        }

        return set;
    }

    private static bool TryValue(string text, string[]? names, int min, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var index = names is null ? -1 : Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        value = index + min;
        return index >= 0;
    }
}

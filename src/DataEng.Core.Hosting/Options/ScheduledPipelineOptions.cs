namespace DataEng.Core.Hosting;

/// <summary>
/// How a hosted pipeline is scheduled and judged healthy. Bound from configuration section
/// <c>DataEng:Pipelines:{name}</c> (keys <c>Enabled</c>, <c>Interval</c>, <c>Cron</c>, <c>TimeZone</c>,
/// <c>RunOnStart</c>, <c>FreshnessSla</c>; time spans as <c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>) and validated when the
/// host starts; every problem is reported at once.
/// </summary>
public sealed class ScheduledPipelineOptions
{
    /// <summary>The configuration section that holds one section per pipeline name.</summary>
    public const string ConfigurationSection = "DataEng:Pipelines";

    /// <summary>Gets or sets a value indicating whether the pipeline is scheduled.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the time between run starts, counted from when the host started. Set this or
    /// <see cref="Cron"/>, not both.</summary>
    /// <value>The default value is <see langword="null"/>. Must be positive when set.</value>
    public TimeSpan? Interval { get; set; }

    /// <summary>Gets or sets a five-field cron expression (see <see cref="CronExpression"/>). Set this or
    /// <see cref="Interval"/>, not both.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Cron { get; set; }

    /// <summary>Gets or sets the time zone the <see cref="Cron"/> fields are read in (an IANA or Windows id).</summary>
    /// <value>The default value is <see langword="null"/>: UTC.</value>
    public string? TimeZone { get; set; }

    /// <summary>Gets or sets a value indicating whether the first run starts as soon as the host starts, rather than
    /// at the first scheduled time.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RunOnStart { get; set; }

    /// <summary>Gets or sets the longest acceptable time since the last successful commit; past it the health
    /// check reports the pipeline unhealthy.</summary>
    /// <value>The default value is <see langword="null"/>: twice the schedule's period (twice <see cref="Interval"/>,
    /// or twice the gap between the first two cron occurrences after start). Must be positive when set.</value>
    public TimeSpan? FreshnessSla { get; set; }

    /// <summary>Gets or sets a callback invoked after every run (successful, failed or cancelled), on the scheduler's
    /// thread: keep it short. Exceptions it throws are logged and ignored.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<PipelineRunCompletedArguments, ValueTask>? OnRunCompleted { get; set; }

    internal List<string> Validate(string name)
    {
        var problems = new List<string>();
        var where = $"{ConfigurationSection}:{name}";
        if (Interval is not null && Cron is not null)
        {
            problems.Add($"{where}: set Interval or Cron, not both.");
        }
        else if (Enabled && Interval is null && string.IsNullOrWhiteSpace(Cron))
        {
            problems.Add($"{where}: an enabled pipeline needs a schedule: set Interval (for example 00:05:00) or Cron (for example '*/5 * * * *').");
        }

        if (Interval is { } interval && interval <= TimeSpan.Zero)
        {
            problems.Add($"{where}:Interval must be positive (was {interval}).");
        }

        if (Cron is not null && !CronExpression.TryParse(Cron, out _, out var error))
        {
            problems.Add($"{where}:Cron: {error}");
        }

        if (TimeZone is not null && !TryFindTimeZone(TimeZone, out _))
        {
            problems.Add($"{where}:TimeZone '{TimeZone}' is not a time zone known to this system (use an IANA id such as 'Europe/Paris' or 'UTC').");
        }

        if (FreshnessSla is { } sla && sla <= TimeSpan.Zero)
        {
            problems.Add($"{where}:FreshnessSla must be positive (was {sla}).");
        }

        return problems;
    }

    internal static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }
}

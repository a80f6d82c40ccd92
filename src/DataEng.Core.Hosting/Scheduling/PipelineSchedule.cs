namespace DataEng.Core.Hosting;

/// <summary>When runs of one pipeline are due.</summary>
internal abstract class PipelineSchedule
{
    /// <summary>Gets the schedule's period, used to derive a default freshness SLA.</summary>
    public abstract TimeSpan Period { get; }

    public static PipelineSchedule Create(ScheduledPipelineOptions options, DateTimeOffset start)
    {
        if (options.Interval is { } interval)
        {
            return new IntervalSchedule(start, interval);
        }

        var zone = TimeZoneInfo.Utc;
        if (options.TimeZone is not null)
        {
            ScheduledPipelineOptions.TryFindTimeZone(options.TimeZone, out zone);
        }

        return new CronSchedule(CronExpression.Parse(options.Cron!), zone, start);
    }

    /// <summary>Returns the first due time strictly after <paramref name="after"/>, or <see cref="DateTimeOffset.MaxValue"/> for never.</summary>
    public abstract DateTimeOffset Next(DateTimeOffset after);

    public abstract override string ToString();

    private sealed class IntervalSchedule(DateTimeOffset anchor, TimeSpan interval) : PipelineSchedule
    {
        public override TimeSpan Period => interval;

        public override DateTimeOffset Next(DateTimeOffset after)
        {
            if (after < anchor)
            {
                return anchor;
            }

            var periods = (after - anchor).Ticks / interval.Ticks;
            return anchor + TimeSpan.FromTicks((periods + 1) * interval.Ticks);
        }

        public override string ToString() => $"every {interval}";
    }

    private sealed class CronSchedule : PipelineSchedule
    {
        private readonly CronExpression _cron;
        private readonly TimeZoneInfo _zone;

        public CronSchedule(CronExpression cron, TimeZoneInfo zone, DateTimeOffset start)
        {
            _cron = cron;
            _zone = zone;
            var first = Next(start);
            var second = first == DateTimeOffset.MaxValue ? first : Next(first);
            Period = second == DateTimeOffset.MaxValue ? TimeSpan.FromDays(366) : second - first;
        }

        public override TimeSpan Period { get; }

        public override DateTimeOffset Next(DateTimeOffset after) => _cron.GetNextOccurrence(after, _zone) ?? DateTimeOffset.MaxValue;

        public override string ToString() => $"cron '{_cron}' ({_zone.Id})";
    }
}

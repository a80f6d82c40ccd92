using System.Globalization;
using Apache.Arrow.Types;

namespace DataEng.Core;

public sealed partial class LakeDataset
{
    /// <summary>
    /// Drops the partitions whose period, by <see cref="LakeDropPartitionsOptions.PartitionColumn"/>, ended at or before
    /// now minus <see cref="LakeDropPartitionsOptions.OlderThan"/>, as one <c>drop-partitions</c> commit: readers see
    /// all of them or none. Their files leave the partition folders (glob readers no longer see them) but stay for the
    /// older snapshots that reference them until <see cref="VacuumAsync"/> deletes them. Recovery runs first (except in
    /// a dry run). Files committed to those partitions by a concurrent writer before this commit are dropped too.
    /// </summary>
    /// <param name="options">The options (partition column and age are required).</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    /// <returns>What was dropped.</returns>
    /// <exception cref="DataEngValidationException">The options are invalid; every problem is listed.</exception>
    /// <exception cref="ArgumentException">The column is not a time partition of this lake.</exception>
    public async Task<LakeDropPartitionsResult> DropPartitionsAsync(LakeDropPartitionsOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidationProblems.ThrowIfAny(nameof(LakeDropPartitionsOptions), options.Validate());
        var logger = _loggerFactory.CreateLogger("DataEng.Core.Lake");
        var layout = _log.Layout;
        var now = options.TimeProvider.GetUtcNow();
        var cutoff = now - options.OlderThan!.Value;
        var column = options.PartitionColumn!;
        await _log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (!options.DryRun)
        {
            await LakeTransaction.RecoverAsync(layout, _log, logger, cancellationToken).ConfigureAwait(false);
        }

        var latest = _log.Latest;
        if (latest.Version == 0)
        {
            return new LakeDropPartitionsResult(options.DryRun, null, cutoff, [], [], 0, 0);
        }

        var dropped = PartitionsEndedBy(latest, column, cutoff);
        if (options.DryRun || dropped.Files.Count == 0)
        {
            return dropped.ToResult(options.DryRun, null, cutoff);
        }

        var transaction = LakeTransaction.Begin(layout, "drop-partitions", new LakeTransactionSettings(options.CommitObserver, LakeLog.DefaultCheckpointInterval, null), logger);
        try
        {
            transaction.SyncStaging();
            var published = await transaction.CommitAsync(_log, [], state =>
            {
                dropped = PartitionsEndedBy(state, column, cutoff);
                return dropped.Files.Count == 0
                    ? CommitDecision.NoOp("no partition is old enough")
                    : CommitDecision.Commit(new CommitRecord
                    {
                        Version = state.Version + 1,
                        Operation = LakeOperation.DropPartitions,
                        Timestamp = now,
                        Schema = state.Schema!,
                        Removed = dropped.Files,
                        Properties = new Dictionary<string, string>(StringComparer.Ordinal)
                        {
                            ["dataeng.dropPartitions.column"] = column,
                            ["dataeng.dropPartitions.cutoff"] = cutoff.ToString("O", CultureInfo.InvariantCulture),
                        },
                    });
            }, maxRetries: 10, cancellationToken).ConfigureAwait(false);

            await _log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            if (published is null)
            {
                return dropped.ToResult(false, null, cutoff);
            }

            DataEng.Core.Log.LakePartitionsDropped(logger, Root, dropped.Partitions.Count, dropped.Files.Count, dropped.Rows, cutoff, column, published.Version);
            return dropped.ToResult(false, published.Version, cutoff);
        }
        catch
        {
            transaction.Abort();
            throw;
        }
        finally
        {
            transaction.Dispose();
        }
    }

    private DroppedPartitions PartitionsEndedBy(LakeState state, string column, DateTimeOffset cutoff)
    {
        var table = state.Schema!;
        var level = -1;
        for (var i = 0; i < table.Partitioning.Count; i++)
        {
            if (string.Equals(table.Partitioning[i].Name, column, StringComparison.Ordinal))
            {
                level = i;
            }
        }

        if (level < 0)
        {
            var names = table.Partitioning.Count == 0 ? "none (the lake is not partitioned)" : string.Join(", ", table.Partitioning.Select(static s => "'" + s.Name + "'"));
            throw new ArgumentException($"The lake '{Root}' has no partition column '{column}'; its partition columns are {names}.", nameof(column));
        }

        var spec = table.Partitioning[level];
        var sourceType = table.InputSchema.GetFieldByName(spec.SourceColumn)?.DataType;
        var timed = spec.Transform is PartitionTransform.Year or PartitionTransform.Month or PartitionTransform.Day or PartitionTransform.Hour
            || (spec.Transform == PartitionTransform.Identity && sourceType is Date32Type or Date64Type or TimestampType);
        if (!timed)
        {
            throw new ArgumentException($"The partition column '{column}' of the lake '{Root}' is not a time partition ({spec.Transform} of '{spec.SourceColumn}'); only year, month, day and hour partitions, and identity partitions of dates and timestamps, can be dropped by age.", nameof(column));
        }

        var partitions = new SortedSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        long rows = 0, bytes = 0;
        var ends = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (var file in state.Files.Values.OrderBy(static f => f.Record.Path, StringComparer.Ordinal))
        {
            var escaped = file.Record.Partition[level];
            if (!ends.TryGetValue(escaped, out var end))
            {
                ends[escaped] = end = escaped == HivePath.NullValue ? null : PeriodEnd(spec, sourceType!, HivePath.UnescapeValue(escaped)!, file.Record.Path);
            }

            if (end is { } e && e <= cutoff)
            {
                partitions.Add(LakeSinkWriter.DirectoryOf(file.Record.Path));
                files.Add(file.Record.Path);
                rows += file.Record.Rows;
                bytes += file.Record.Bytes;
            }
        }

        return new DroppedPartitions([.. partitions], files, rows, bytes);
    }

    /// <summary>The instant a partition's period ends: the start of the next year, month, day or hour in the
    /// partition's time zone, or, for an identity timestamp, the value itself.</summary>
    private DateTimeOffset PeriodEnd(PartitionSpec spec, IArrowType sourceType, string text, string path)
    {
        var zone = spec.TimeZone ?? TimeZoneInfo.Utc;
        try
        {
            var local = spec.Transform switch
            {
                PartitionTransform.Year => new DateTime(int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) + 1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
                PartitionTransform.Month => DateTime.ParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture).AddMonths(1),
                PartitionTransform.Day => DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(1),
                PartitionTransform.Hour => DateTime.ParseExact(text, "yyyy-MM-dd-HH", CultureInfo.InvariantCulture).AddHours(1),
                _ when sourceType is TimestampType => (DateTime?)null,
                _ => DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(1),
            };
            if (local is { } l)
            {
                var unspecified = DateTime.SpecifyKind(l, DateTimeKind.Unspecified);
                return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
            }

            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new DataFormatException(_log.Layout.Resolve(path), null, spec.Name, $"the partition value '{text}' is not a {spec.Transform} value, so its age is unknown; nothing was dropped", e);
        }
    }

    private sealed record DroppedPartitions(IReadOnlyList<string> Partitions, IReadOnlyList<string> Files, long Rows, long Bytes)
    {
        public LakeDropPartitionsResult ToResult(bool dryRun, long? version, DateTimeOffset cutoff) => new(dryRun, version, cutoff, Partitions, Files, Rows, Bytes);
    }
}

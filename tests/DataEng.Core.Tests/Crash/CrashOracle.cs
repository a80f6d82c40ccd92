using System.Globalization;

namespace DataEng.Core.Tests.Crash;

/// <summary>A crash test failed; the message carries the seed that replays it.</summary>
internal sealed class CrashTestException : Exception
{
    public CrashTestException(string message)
        : base(message)
    {
    }

    public CrashTestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public CrashTestException()
    {
    }
}

/// <summary>What the latest commit of the lake holds.</summary>
internal sealed record CommittedSnapshot(long RunNumber, string? RunId, long? Watermark, List<(long Id, long Cursor)> Rows, int Files);

/// <summary>
/// The oracle of the crash tests: what the latest manifest publishes must be exactly once and never behind its
/// watermark (checked after every kill, before any recovery); after the final run, what a glob reader (DuckDB over
/// <c>**/*.parquet</c>) sees must be every order exactly once, with no staging leftovers.
/// </summary>
internal static class CrashOracle
{
    public const string Pipeline = "crash";

    /// <summary>Reads the latest committed snapshot: the manifest's files only, as a manifest-aware reader would.</summary>
    public static async Task<CommittedSnapshot> ReadCommittedAsync(string lake, string pipeline = Pipeline)
    {
        var dataset = await Core.Lake.OpenAsync(lake);
        var last = await dataset.GetLastCommitAsync(pipeline);
        var files = dataset.Latest?.Files.Select(static f => f.FullPath).ToList() ?? [];
        var rows = new List<(long, long)>();
        if (files.Count > 0)
        {
            var list = string.Join(", ", files.Select(static f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
            rows = Duck.Query($"SELECT order_id, updated_at FROM read_parquet([{list}])")
                .Select(static r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), Convert.ToInt64(r[1], CultureInfo.InvariantCulture)))
                .ToList();
        }

        long? watermark = last?.Properties.TryGetValue(IncrementalCommitKeys.Watermark, out var w) == true ? ParseWatermark(w) : null;
        return new CommittedSnapshot(last?.RunNumber ?? 0, last?.RunId, watermark, rows, files.Count);
    }

    /// <summary>
    /// Checks the committed snapshot after a kill: no order twice, no unknown order, no row above the watermark, and
    /// every order with a cursor at or below the watermark that existed when the committed run planned is there.
    /// </summary>
    /// <param name="state">The committed snapshot.</param>
    /// <param name="source">The source.</param>
    /// <param name="lastRoundCommitted">The latest round whose orders the committed run may have seen (the current
    /// round when a run committed during it, else the previous one).</param>
    /// <param name="context">Seed and step, for the message.</param>
    public static void CheckCommitted(CommittedSnapshot state, CrashSource source, int lastRoundCommitted, string context)
    {
        var seen = new HashSet<long>();
        var known = source.Orders.ToDictionary(static o => o.Id);
        foreach (var (id, cursor) in state.Rows)
        {
            if (!seen.Add(id))
            {
                throw new CrashTestException($"{context}: order {id} is twice in the committed snapshot (run {state.RunNumber}).");
            }

            if (!known.TryGetValue(id, out var order) || order.Cursor != cursor)
            {
                throw new CrashTestException($"{context}: the committed snapshot holds order {id} with cursor {cursor}, which the source does not have.");
            }

            if (state.Watermark is not { } w || cursor > w)
            {
                throw new CrashTestException($"{context}: order {id} (cursor {cursor}) is committed above the watermark {state.Watermark?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}.");
            }
        }

        if (state.Watermark is { } watermark)
        {
            var missing = source.Orders.Where(o => o.Round <= lastRoundCommitted && o.Cursor <= watermark && !seen.Contains(o.Id)).Take(5).ToList();
            if (missing.Count > 0)
            {
                throw new CrashTestException($"{context}: the watermark {watermark} of run {state.RunNumber} is ahead of the durable data: orders {string.Join(", ", missing)} are not committed.");
            }
        }
    }

    /// <summary>
    /// Checks the lake after the final completed run (so after recovery): DuckDB's glob read holds every order
    /// exactly once, every data file on disk belongs to the snapshot, and nothing is left in staging.
    /// </summary>
    public static async Task CheckFinalAsync(string lake, CrashSource source, string context, string pipeline = Pipeline)
    {
        var ids = Duck.Query($"SELECT order_id FROM {Duck.Glob(lake)}").Select(static r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        var duplicates = ids.GroupBy(static i => i).Where(static g => g.Count() > 1).Select(static g => g.Key).Take(5).ToList();
        if (duplicates.Count > 0)
        {
            throw new CrashTestException($"{context}: DuckDB reads orders {string.Join(", ", duplicates)} more than once.");
        }

        var expected = source.Orders.Select(static o => o.Id).ToHashSet();
        var missing = expected.Except(ids).Take(5).ToList();
        if (missing.Count > 0 || ids.Count != expected.Count)
        {
            throw new CrashTestException($"{context}: DuckDB reads {ids.Count} orders, the source has {expected.Count}; missing e.g. {string.Join(", ", missing)}.");
        }

        var dataset = await Core.Lake.OpenAsync(lake);
        var live = dataset.Latest!.Files.Select(static f => Path.GetFullPath(f.FullPath)).ToHashSet(StringComparer.Ordinal);
        var onDisk = Directory.EnumerateFiles(lake, "*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(Path.Combine(lake, "_dataeng", "commits"), StringComparison.Ordinal))
            .Where(p => !p.StartsWith(Path.Combine(lake, "_dataeng", "locks"), StringComparison.Ordinal))
            .Where(p => !p.StartsWith(Path.Combine(lake, "_dataeng", "checkpoints"), StringComparison.Ordinal))
            .ToList();

        // A checkpoint under its final name is always complete: kills during checkpoint writes leave only temp files.
        var checkpoints = Path.Combine(lake, "_dataeng", "checkpoints");
        foreach (var path in Directory.Exists(checkpoints) ? Directory.GetFiles(checkpoints) : [])
        {
            if (!LakeLayout.TryParseCheckpointFile(Path.GetFileName(path), out var version) || !LakeCheckpoint.TryRead(path, version, out _, out _))
            {
                throw new CrashTestException($"{context}: the checkpoint '{path}' is not a complete checkpoint.");
            }
        }
        var strays = onDisk.Where(p => !live.Contains(Path.GetFullPath(p))).Take(5).ToList();
        if (strays.Count > 0)
        {
            throw new CrashTestException($"{context}: files left behind after recovery: {string.Join(", ", strays)}.");
        }

        var staging = Path.Combine(lake, "_dataeng", "staging");
        if (Directory.Exists(staging) && Directory.EnumerateFileSystemEntries(staging).Any())
        {
            throw new CrashTestException($"{context}: staging is not empty after recovery: {string.Join(", ", Directory.EnumerateFileSystemEntries(staging))}.");
        }

        var last = await dataset.GetLastCommitAsync(pipeline);
        var watermark = ParseWatermark(last!.Properties[IncrementalCommitKeys.Watermark]);
        if (watermark != source.Orders.Max(static o => o.Cursor))
        {
            throw new CrashTestException($"{context}: the final watermark is {watermark}, the largest cursor {source.Orders.Max(static o => o.Cursor)}.");
        }
    }

    public static long ParseWatermark(string text)
        => text.StartsWith("int:", StringComparison.Ordinal)
            ? long.Parse(text.AsSpan(4), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : throw new CrashTestException($"Unexpected watermark '{text}'.");
}

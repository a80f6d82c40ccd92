using Microsoft.Extensions.Logging;

namespace DataEng.Core;

/// <summary>
/// A Hive-partitioned Parquet dataset ("lake") with atomic, idempotent commits: write it from a pipeline, read it as a
/// source, inspect and compact it with <see cref="LakeDataset"/>. Layout, escaping and the commit protocol are described
/// in <c>docs/lake.md</c>.
/// </summary>
/// <example>
/// <code>
/// var options = new LakeWriteOptions();
/// options.PartitionBy.Add(PartitionSpec.Day("ts").As("dt"));
/// var pipeline = Pipeline.Create("orders").Extract(source).Load(Lake.Write("lake/orders", options)).Build();
/// </code>
/// </example>
public static class Lake
{
    /// <summary>Creates a sink that writes each run into the lake at <paramref name="root"/> as one commit.</summary>
    /// <param name="root">The root folder (created when missing).</param>
    /// <param name="options">The options, or <see langword="null"/> for defaults (unpartitioned, append, Snappy).</param>
    /// <returns>The sink.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static ISink Write(string root, LakeWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new LakeWriteOptions();
        ValidationProblems.ThrowIfAny(nameof(LakeWriteOptions), options.Validate());
        return new LakeSink(root, options.Clone());
    }

    /// <summary>
    /// Creates a source that reads the lake at <paramref name="root"/>: its latest committed snapshot (or the one named in
    /// the options), or — without a manifest — any Hive-partitioned Parquet dataset found there.
    /// </summary>
    /// <param name="root">The root folder.</param>
    /// <param name="options">The options, or <see langword="null"/> for defaults (every column and partition).</param>
    /// <returns>The source. Its schema is read on first access.</returns>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    public static ISource Read(string root, LakeReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new LakeReadOptions();
        ValidationProblems.ThrowIfAny(nameof(LakeReadOptions), options.Validate());
        return new LakeSource(root, options.Clone());
    }

    /// <summary>Opens a lake to list its commits, snapshots, files and partitions, recover or compact it.</summary>
    /// <param name="root">The root folder.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the read of the commit log.</param>
    /// <returns>The dataset.</returns>
    public static Task<LakeDataset> OpenAsync(string root, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
        => LakeDataset.OpenAsync(root, loggerFactory, cancellationToken);
}

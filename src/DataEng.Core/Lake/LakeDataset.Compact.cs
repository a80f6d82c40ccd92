using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>Options of <see cref="LakeDataset.CompactAsync"/>.</summary>
public sealed class LakeCompactionOptions
{
    /// <summary>Gets or sets the size files are merged up to; files at least this large are left alone.</summary>
    /// <value>The default value is 128 MiB.</value>
    public long TargetFileSizeBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Gets or sets how many small files a partition needs before it is compacted.</summary>
    /// <value>The default value is 2.</value>
    public int MinFilesPerPartition { get; set; } = 2;

    /// <summary>Gets or sets a predicate choosing the partitions to compact.</summary>
    /// <value>The default value is <see langword="null"/> (every partition).</value>
    public Func<LakePartitionValues, bool>? PartitionFilter { get; set; }

    /// <summary>Gets or sets the Parquet encoding of the new files (its row-group size applies).</summary>
    /// <value>The default value is a new <see cref="ParquetWriteOptions"/>.</value>
    public ParquetWriteOptions Parquet { get; set; } = new();

    /// <summary>Gets or sets the limits applied when reading the old files.</summary>
    /// <value>The default value is <see langword="null"/> (<see cref="ParquetReadOptions"/> defaults).</value>
    public ParquetReadOptions? ReadOptions { get; set; }

    /// <summary>Gets or sets the callback invoked at each commit step (see <see cref="LakeWriterOptions.CommitObserver"/>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<LakeCommitStep>? CommitObserver { get; set; }

    /// <summary>Gets or sets the clock stamped on the commit.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Returns every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TargetFileSizeBytes < 1)
        {
            problems.Add($"{nameof(TargetFileSizeBytes)} must be at least 1 (was {TargetFileSizeBytes}).");
        }

        if (MinFilesPerPartition < 2)
        {
            problems.Add($"{nameof(MinFilesPerPartition)} must be at least 2 (was {MinFilesPerPartition}).");
        }

        if (Parquet is null)
        {
            problems.Add($"{nameof(Parquet)} must not be null.");
        }
        else
        {
            problems.AddRange(Parquet.Validate().Select(static p => $"{nameof(Parquet)}.{p}"));
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} must not be null.");
        }

        return problems;
    }
}

/// <summary>What <see cref="LakeDataset.CompactAsync"/> did.</summary>
public sealed class LakeCompactionResult
{
    internal LakeCompactionResult(long? version, int partitions, int filesRemoved, int filesAdded, long rows)
    {
        Version = version;
        Partitions = partitions;
        FilesRemoved = filesRemoved;
        FilesAdded = filesAdded;
        Rows = rows;
    }

    /// <summary>Gets the version committed, or <see langword="null"/> when there was nothing to compact.</summary>
    public long? Version { get; }

    /// <summary>Gets the number of partitions compacted.</summary>
    public int Partitions { get; }

    /// <summary>Gets the number of small files replaced.</summary>
    public int FilesRemoved { get; }

    /// <summary>Gets the number of files written.</summary>
    public int FilesAdded { get; }

    /// <summary>Gets the number of rows rewritten.</summary>
    public long Rows { get; }
}

public sealed partial class LakeDataset
{
    private const string CompactionTemplate = "compact-{run}-{n}.parquet";

    /// <summary>
    /// Merges the small files of each partition into files of about <see cref="LakeCompactionOptions.TargetFileSizeBytes"/>,
    /// as one commit: readers see the old files or the new ones, never both; the old files are deleted only after the
    /// new manifest is durable. Recovery runs first. Rows keep their order within a partition.
    /// </summary>
    /// <param name="options">The options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the compaction before its commit.</param>
    /// <returns>What was compacted.</returns>
    /// <exception cref="DataEngException">Another commit replaced some of the files meanwhile (retry), or a file is damaged.</exception>
    public async Task<LakeCompactionResult> CompactAsync(LakeCompactionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LakeCompactionOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid compaction options:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(static p => "  - " + p)));
        }

        var logger = _loggerFactory.CreateLogger("DataEng.Core.Lake");
        await _log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        await LakeTransaction.RecoverAsync(_log.Layout, _log, logger, cancellationToken).ConfigureAwait(false);
        var state = _log.Latest;
        if (state.Version == 0)
        {
            return new LakeCompactionResult(null, 0, 0, 0, 0);
        }

        var table = state.Schema!;
        var plan = LakeReadPlan.FromManifest(_log.Layout, state);
        var groups = plan.Files
            .Where(f => state.Files[f.RelativePath].Record.Bytes < options.TargetFileSizeBytes)
            .GroupBy(static f => LakeSinkWriter.DirectoryOf(f.RelativePath), StringComparer.Ordinal)
            .Where(g => g.Count() >= options.MinFilesPerPartition && (options.PartitionFilter is null || options.PartitionFilter(g.First().Partition)))
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (groups.Count == 0)
        {
            return new LakeCompactionResult(null, 0, 0, 0, 0);
        }

        var version = state.Version + 1;
        var parquet = options.Parquet.Clone();
        var transaction = LakeTransaction.Begin(_log.Layout, "compact-" + version.ToString(System.Globalization.CultureInfo.InvariantCulture), new LakeTransactionSettings(options.CommitObserver, LakeLog.DefaultCheckpointInterval, null), logger);
        try
        {
            var staged = new List<StagedFile>();
            var removed = new List<string>();
            long rows = 0;
            foreach (var group in groups)
            {
                var sequence = 0;
                var partition = state.Files[group.First().RelativePath].Record.Partition;
                ArrowParquetWriter? writer = null;
                FileStream? stream = null;
                string? stagingPath = null;
                long fileRows = 0;
                try
                {
                    foreach (var file in group)
                    {
                        removed.Add(file.RelativePath);
                        await foreach (var (batch, count) in LakeFileReader.ReadAsync(file.FullPath, file.Rows, table.FileSchema.FieldsList, options.ReadOptions, MemoryAllocator.Default.Value, cancellationToken).ConfigureAwait(false))
                        {
                            using (batch)
                            {
                                if (writer is null)
                                {
                                    stagingPath = transaction.NewStagingPath();
                                    stream = new FileStream(stagingPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                                    writer = await ArrowParquetWriter.CreateAsync(stream, table.FileSchema, parquet, null, cancellationToken).ConfigureAwait(false);
                                    fileRows = 0;
                                }

                                await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                                fileRows += count;
                                rows += count;
                            }

                            if (writer.BytesWritten + writer.BufferedBytes >= options.TargetFileSizeBytes)
                            {
                                staged.Add(await CloseAsync().ConfigureAwait(false));
                            }
                        }
                    }

                    if (writer is not null)
                    {
                        staged.Add(await CloseAsync().ConfigureAwait(false));
                    }
                }
                finally
                {
                    if (writer is not null)
                    {
                        await writer.DisposeAsync().ConfigureAwait(false);
                    }

                    if (stream is not null)
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                    }
                }

                async Task<StagedFile> CloseAsync()
                {
                    await writer!.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    transaction.Notify(LakeCommitStep.StagedFileWritten);
                    DurableFile.FsyncFile(stream!);
                    var length = stream!.Length;
                    await writer.DisposeAsync().ConfigureAwait(false);
                    await stream.DisposeAsync().ConfigureAwait(false);
                    writer = null;
                    stream = null;
                    transaction.Notify(LakeCommitStep.StagedFileSynced);
                    var name = FileNaming.Format(CompactionTemplate, "compact", version, transaction.Id, sequence++);
                    var relative = group.Key.Length == 0 ? name : group.Key + "/" + name;
                    return new StagedFile(stagingPath!, relative, partition, fileRows, length);
                }
            }

            transaction.SyncStaging();
            transaction.Notify(LakeCommitStep.Prepared);
            var published = await transaction.CommitAsync(_log, staged, latest =>
            {
                var gone = removed.Where(p => !latest.Files.ContainsKey(p)).ToList();
                if (gone.Count > 0)
                {
                    throw new TransientDataEngException($"Compaction of the lake '{Root}' lost a race: {gone.Count} of its files (for example '{gone[0]}') were replaced by another commit meanwhile. Run it again.");
                }

                if (!ReferenceEquals(latest.Schema, table) && !SchemaComparer.Equivalent(latest.Schema!.FileSchema, table.FileSchema, compareNullability: true))
                {
                    throw new TransientDataEngException($"Compaction of the lake '{Root}' lost a race: the schema changed meanwhile. Run it again.");
                }

                return CommitDecision.Commit(new CommitRecord
                {
                    Version = latest.Version + 1,
                    Operation = LakeOperation.Compact,
                    Timestamp = options.TimeProvider.GetUtcNow(),
                    Schema = latest.Schema!,
                    Added = staged.Select(static f => new DataFileRecord(f.RelativePath, f.Partition, f.Rows, f.Bytes)).ToList(),
                    Removed = removed,
                });
            }, maxRetries: 10, cancellationToken).ConfigureAwait(false);

            await _log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            DataEng.Core.Log.LakeCompacted(logger, Root, removed.Count, staged.Count, groups.Count, published!.Version);
            return new LakeCompactionResult(published.Version, groups.Count, removed.Count, staged.Count, rows);
        }
        catch
        {
            // After an abandoned commit (observer threw) Abort does nothing: recovery cleans up.
            transaction.Abort();
            throw;
        }
        finally
        {
            transaction.Dispose();
        }
    }
}

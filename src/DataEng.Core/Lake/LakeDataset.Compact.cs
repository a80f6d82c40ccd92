using Apache.Arrow.Memory;
using DataEng.Core.ParquetFormat;

namespace DataEng.Core;

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
        ValidationProblems.ThrowIfAny(nameof(LakeCompactionOptions), options.Validate());
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

using System.Globalization;
using System.Text.Json;

namespace DataEng.Core;

public sealed partial class LakeDataset
{
    /// <summary>
    /// Expires old versions and deletes the data files that no retained version needs, as a <c>vacuum</c> commit of its
    /// own that records the oldest retained version, the retention and the files it deletes; the files are deleted only
    /// after that commit is durable, so a vacuum killed half-way is finished by the next one. A file goes only when no
    /// retained version references it and it has been unreferenced for <see cref="LakeVacuumOptions.GracePeriod"/>
    /// (counted from the commit that replaced it, or from the vacuum that expired the last version holding it), so a
    /// reader that opened a snapshot before it expired keeps its files that long. Orphans (data files no manifest ever
    /// listed) go once unmodified for the grace period, never while a writer's commit plan names them. Recovery runs
    /// first (except in a dry run, which changes nothing and lists what a vacuum at this moment would do).
    /// </summary>
    /// <param name="options">The options, or <see langword="null"/> for defaults (keep 7 days, grace 1 day).</param>
    /// <param name="cancellationToken">Cancels the vacuum before its commit.</param>
    /// <returns>What was expired and deleted.</returns>
    /// <exception cref="DataEngValidationException">The options are invalid; every problem is listed.</exception>
    public async Task<LakeVacuumResult> VacuumAsync(LakeVacuumOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LakeVacuumOptions();
        ValidationProblems.ThrowIfAny(nameof(LakeVacuumOptions), options.Validate());
        var logger = _loggerFactory.CreateLogger("DataEng.Core.Lake");
        var layout = _log.Layout;

        // Order matters for orphans: list the data files first, then the live writers' plans, then the log. A file
        // renamed into place before the listing was named in its writer's plan before that (the plan precedes every
        // rename); if the writer finished meanwhile, its manifest was published before its plan went away.
        var now = options.TimeProvider.GetUtcNow();
        var onDisk = options.RemoveOrphans ? ListDataFiles(layout, now - options.GracePeriod) : [];
        var planned = PlannedByStagingFolders(layout);
        await _log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (!options.DryRun)
        {
            await LakeTransaction.RecoverAsync(layout, _log, logger, cancellationToken).ConfigureAwait(false);
        }

        var latest = _log.Latest;
        if (latest.Version == 0)
        {
            return new LakeVacuumResult(options.DryRun, null, 1, [], [], [], 0);
        }

        var plan = VacuumPlan.Create(layout, _log.Commits, latest, options, now, onDisk, planned);
        if (options.DryRun || plan.IsEmpty)
        {
            return plan.ToResult(options.DryRun, null);
        }

        var transaction = LakeTransaction.Begin(layout, "vacuum", new LakeTransactionSettings(options.CommitObserver, LakeLog.DefaultCheckpointInterval, null), logger);
        try
        {
            transaction.SyncStaging();
            var published = await transaction.CommitAsync(_log, [], state =>
            {
                // Decided again against the latest log (another commit may have published first).
                plan = VacuumPlan.Create(layout, _log.Commits, state, options, now, onDisk, planned);
                return plan.IsEmpty
                    ? CommitDecision.NoOp("nothing to expire or delete")
                    : CommitDecision.Commit(new CommitRecord
                    {
                        Version = state.Version + 1,
                        Operation = LakeOperation.Vacuum,
                        Timestamp = now,
                        Schema = state.Schema!,
                        OldestRetainedVersion = plan.OldestRetained,
                        Retention = plan.Retention,
                        Purged = plan.Files,
                    });
            }, maxRetries: 10, cancellationToken).ConfigureAwait(false);

            await _log.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            if (published is null)
            {
                return plan.ToResult(false, null);
            }

            // Finish what earlier vacuums published but did not get to delete (killed half-way), then this one's.
            var purge = new SortedSet<string>(published.Purged, StringComparer.Ordinal);
            var live = _log.Latest.Files;
            foreach (var commit in _log.Commits)
            {
                if (commit.Operation == LakeOperation.Vacuum)
                {
                    purge.UnionWith(commit.Purged.Where(p => !live.ContainsKey(p)));
                }
            }

            foreach (var path in purge)
            {
                if (DeleteEverywhere(layout, path))
                {
                    options.CommitObserver?.Invoke(LakeCommitStep.FileVacuumed);
                }
            }

            DataEng.Core.Log.LakeVacuumed(logger, Root, published.Version, plan.ExpiredVersions.Count, plan.OldestRetained, plan.Files.Count, plan.Bytes);
            return plan.ToResult(false, published.Version);
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

    /// <summary>Deletes a data file from its partition folder and from the retired area; whether anything was deleted.</summary>
    private static bool DeleteEverywhere(LakeLayout layout, string path)
    {
        var deleted = false;
        foreach (var full in new[] { RetiredFiles.PathOf(layout, path), layout.Resolve(path) })
        {
            if (File.Exists(full))
            {
                File.Delete(full);
                deleted = true;
            }
        }

        return deleted;
    }

    /// <summary>The <c>*.parquet</c> files in the data folders (not under <c>_dataeng</c>, nor in hidden folders) last
    /// written at or before <paramref name="olderThan"/>.</summary>
    private static List<string> ListDataFiles(LakeLayout layout, DateTimeOffset olderThan)
    {
        var found = new List<string>();
        if (!Directory.Exists(layout.Root))
        {
            return found;
        }

        var pending = new Stack<string>();
        pending.Push(layout.Root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null || entry.Name.StartsWith('.'))
                {
                    continue;
                }

                if (entry is DirectoryInfo)
                {
                    if (!(folder == layout.Root && entry.Name == FileNaming.MetadataFolder))
                    {
                        pending.Push(entry.FullName);
                    }
                }
                else if (entry.Name.EndsWith(".parquet", StringComparison.Ordinal) && entry.LastWriteTimeUtc <= olderThan.UtcDateTime)
                {
                    found.Add(layout.Relative(entry.FullName));
                }
            }
        }

        return found;
    }

    /// <summary>Every final path named by a commit plan in a staging folder (live writers, and dead ones recovery has
    /// not removed yet): never an orphan.</summary>
    private static HashSet<string> PlannedByStagingFolders(LakeLayout layout)
    {
        var planned = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(layout.Staging))
        {
            return planned;
        }

        foreach (var folder in Directory.EnumerateDirectories(layout.Staging))
        {
            var path = Path.Combine(folder, "plan.json");
            try
            {
                planned.UnionWith(JsonSerializer.Deserialize(File.ReadAllBytes(path), LakeJsonContext.Default.StringArray) ?? []);
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                // No plan (nothing renamed yet), a plan being written (atomic: nothing renamed yet), or gone.
            }
        }

        return planned;
    }
}

/// <summary>What a vacuum expires and deletes, computed from the log, the options and the clock.</summary>
internal sealed class VacuumPlan
{
    private VacuumPlan(long oldestRetained, IReadOnlyList<long> expired, string? retention, IReadOnlyList<string> files, IReadOnlyList<string> orphans, long bytes)
    {
        OldestRetained = oldestRetained;
        ExpiredVersions = expired;
        Retention = retention;
        Files = files;
        Orphans = orphans;
        Bytes = bytes;
    }

    public long OldestRetained { get; }

    public IReadOnlyList<long> ExpiredVersions { get; }

    public string? Retention { get; }

    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<string> Orphans { get; }

    public long Bytes { get; }

    public bool IsEmpty => ExpiredVersions.Count == 0 && Files.Count == 0;

    public LakeVacuumResult ToResult(bool dryRun, long? version) => new(dryRun, version, OldestRetained, ExpiredVersions, Files, Orphans, Bytes);

    /// <param name="layout">The lake.</param>
    /// <param name="commits">Every commit, versions 1..latest.</param>
    /// <param name="latest">The latest state.</param>
    /// <param name="options">The retention.</param>
    /// <param name="now">The vacuum's time.</param>
    /// <param name="onDisk">Data files found in the partition folders past the grace period (orphan candidates).</param>
    /// <param name="planned">Files named by commit plans in staging (never orphans).</param>
    public static VacuumPlan Create(LakeLayout layout, IReadOnlyList<CommitRecord> commits, LakeState latest, LakeVacuumOptions options, DateTimeOffset now, IReadOnlyList<string> onDisk, HashSet<string> planned)
    {
        var version = latest.Version;
        var previous = latest.OldestRetained;

        // The retained versions are always a suffix: the union of "the last K" and "committed after the cutoff".
        long? start = null;
        var rules = new List<string>();
        if (options.KeepLastVersions is { } keep)
        {
            start = Math.Max(1, version - keep + 1);
            rules.Add(string.Create(CultureInfo.InvariantCulture, $"the last {keep} versions"));
        }

        if (options.KeepNewerThan is { } age)
        {
            var cutoff = now - age;
            var first = commits.FirstOrDefault(c => c.Timestamp > cutoff)?.Version ?? version;
            start = start is { } s ? Math.Min(s, first) : first;
            rules.Add(string.Create(CultureInfo.InvariantCulture, $"the versions committed after {cutoff:O} (newer than {age})"));
        }

        var oldest = Math.Max(previous, start ?? previous);
        var expired = new List<long>();
        for (var v = previous; v < oldest; v++)
        {
            expired.Add(v);
        }

        // Per path, the version of the commit that last removed it (it is in versions [added, removed - 1]).
        var removedAt = new Dictionary<string, long>(StringComparer.Ordinal);
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        var timestamps = new DateTimeOffset[version + 1];
        var expiries = new List<(long Oldest, DateTimeOffset At)>();
        foreach (var commit in commits)
        {
            timestamps[commit.Version] = commit.Timestamp;
            foreach (var file in commit.Added)
            {
                removedAt.Remove(file.Path);
                bytes[file.Path] = file.Bytes;
            }

            foreach (var path in commit.Removed)
            {
                removedAt[path] = commit.Version;
            }

            if (commit.OldestRetainedVersion is { } o)
            {
                expiries.Add((o, commit.Timestamp));
            }
        }

        var files = new SortedSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (path, removed) in removedAt)
        {
            // Needed while a retained version (oldest..latest) holds it: its last holder is removed - 1.
            if (latest.Files.ContainsKey(path) || removed > oldest)
            {
                continue;
            }

            // Unreferenced by every retained version since the later of its removal and the vacuum that expired its
            // last holder (this one, when no earlier vacuum did).
            var expiredAt = now;
            foreach (var (o, at) in expiries)
            {
                if (o >= removed)
                {
                    expiredAt = at;
                    break;
                }
            }

            var since = timestamps[removed] > expiredAt ? timestamps[removed] : expiredAt;
            if (now - since >= options.GracePeriod && (File.Exists(RetiredFiles.PathOf(layout, path)) || File.Exists(layout.Resolve(path))))
            {
                files.Add(path);
                total += bytes[path];
            }
        }

        var orphans = new List<string>();
        foreach (var path in onDisk)
        {
            if (!bytes.ContainsKey(path) && !planned.Contains(path))
            {
                var full = layout.Resolve(path);
                if (File.Exists(full))
                {
                    orphans.Add(path);
                    files.Add(path);
                    total += new FileInfo(full).Length;
                }
            }
        }

        orphans.Sort(StringComparer.Ordinal);
        var retention = rules.Count == 0 ? null : string.Join(" and ", rules);
        return new VacuumPlan(oldest, expired, oldest > previous ? retention : latest.ExpiredBy?.Retention, [.. files], orphans, total);
    }
}

using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core;

/// <summary>The folders of a lake: root, metadata, commits and staging.</summary>
internal sealed class LakeLayout
{
    public LakeLayout(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        Metadata = Path.Combine(Root, FileNaming.MetadataFolder);
        Commits = Path.Combine(Metadata, "commits");
        Staging = Path.Combine(Metadata, "staging");
        Checkpoints = Path.Combine(Metadata, "checkpoints");
        Retired = Path.Combine(Metadata, "retired");
    }

    public string Root { get; }

    public string Metadata { get; }

    public string Commits { get; }

    public string Staging { get; }

    public string Checkpoints { get; }

    /// <summary>Gets the folder of data files replaced by a commit and kept for older snapshots (see <see cref="RetiredFiles"/>).</summary>
    public string Retired { get; }

    public string CommitFile(long version) => Path.Combine(Commits, version.ToString("D20", CultureInfo.InvariantCulture) + ".json");

    public string CheckpointFile(long version) => Path.Combine(Checkpoints, version.ToString("D20", CultureInfo.InvariantCulture) + CheckpointSuffix);

    public const string CheckpointSuffix = ".checkpoint.json";

    public static bool TryParseCheckpointFile(string fileName, out long version)
    {
        version = 0;
        return fileName.Length == 20 + CheckpointSuffix.Length && fileName.EndsWith(CheckpointSuffix, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }

    public static bool TryParseCommitFile(string fileName, out long version)
    {
        version = 0;
        return fileName.Length == 25 && fileName.EndsWith(".json", StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }

    /// <summary>Resolves a <c>/</c>-separated path relative to the root, refusing anything outside it.</summary>
    public string Resolve(string relative)
    {
        var native = relative.Replace('/', Path.DirectorySeparatorChar);
        var full = Path.GetFullPath(Path.Combine(Root, native));
        if (!DurableFile.IsUnder(Root, full) || string.Equals(full, Root, StringComparison.Ordinal))
        {
            throw new DataEngException($"The path '{relative}' resolves outside the lake root '{Root}'; nothing was created there.");
        }

        return full;
    }

    /// <summary>Returns the <c>/</c>-separated path of a file below the root.</summary>
    public string Relative(string full) => Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');
}

/// <summary>A live data file of a snapshot and the version that added it.</summary>
internal sealed record LiveFile(DataFileRecord Record, long Version);

/// <summary>What one pipeline committed: every run number, and its latest commit.</summary>
internal sealed class PipelineHistory
{
    public RunSet Runs { get; private init; } = new();

    public PipelineHistory Clone() => new() { Runs = Runs.Clone(), Last = Last };

    public CommitRecord? Last { get; set; }
}

/// <summary>
/// The run numbers a pipeline committed, as sorted disjoint ranges: runs count 1, 2, 3, …, so a year of runs is one
/// range, and copying or checkpointing the set does not grow with the number of runs.
/// </summary>
internal sealed class RunSet
{
    private readonly List<(long First, long Last)> _ranges = [];

    public IReadOnlyList<(long First, long Last)> Ranges => _ranges;

    public RunSet Clone()
    {
        var clone = new RunSet();
        clone._ranges.AddRange(_ranges);
        return clone;
    }

    public bool Contains(long run) => Find(run) >= 0;

    /// <summary>Adds a run (in order: extends the last range; otherwise inserts and merges neighbours).</summary>
    public void Add(long run)
    {
        if (_ranges.Count > 0 && _ranges[^1].Last + 1 == run)
        {
            _ranges[^1] = (_ranges[^1].First, run);
            return;
        }

        var index = Find(run);
        if (index >= 0)
        {
            return;
        }

        index = ~index;
        var joinsLeft = index > 0 && _ranges[index - 1].Last + 1 == run;
        var joinsRight = index < _ranges.Count && _ranges[index].First - 1 == run;
        if (joinsLeft && joinsRight)
        {
            _ranges[index - 1] = (_ranges[index - 1].First, _ranges[index].Last);
            _ranges.RemoveAt(index);
        }
        else if (joinsLeft)
        {
            _ranges[index - 1] = (_ranges[index - 1].First, run);
        }
        else if (joinsRight)
        {
            _ranges[index] = (run, _ranges[index].Last);
        }
        else
        {
            _ranges.Insert(index, (run, run));
        }
    }

    /// <summary>Adds an inclusive range of runs.</summary>
    public void AddRange(long first, long last)
    {
        if (_ranges.Count == 0 || _ranges[^1].Last + 1 < first)
        {
            _ranges.Add((first, last));
            return;
        }

        for (var run = first; run <= last; run++)
        {
            Add(run);
        }
    }

    /// <summary>Returns the index of the range holding <paramref name="run"/>, or the complement of where a range
    /// starting at it would go.</summary>
    private int Find(long run)
    {
        int low = 0, high = _ranges.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var (first, last) = _ranges[mid];
            if (run < first)
            {
                high = mid - 1;
            }
            else if (run > last)
            {
                low = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return ~low;
    }
}

/// <summary>The folded state of a lake at one version.</summary>
internal sealed class LakeState
{
    public long Version { get; private set; }

    public LakeTableSchema? Schema { get; private set; }

    public DateTimeOffset? Timestamp { get; private set; }

    public Dictionary<string, LiveFile> Files { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PipelineHistory> Pipelines { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the oldest version a vacuum retained (1 when nothing expired).</summary>
    public long OldestRetained { get; private set; } = 1;

    /// <summary>Gets the vacuum commit that expired the versions before <see cref="OldestRetained"/>, or <see langword="null"/>.</summary>
    public CommitRecord? ExpiredBy { get; private set; }

    /// <summary>Returns an empty state at a version, to be filled from a checkpoint (which carries the retention
    /// state too, so reads of expired versions still fail by name after the manifests are folded).</summary>
    public static LakeState Restore(long version, LakeTableSchema schema, DateTimeOffset timestamp, CommitRecord? expiredBy)
        => new()
        {
            Version = version,
            Schema = schema,
            Timestamp = timestamp,
            OldestRetained = expiredBy?.OldestRetainedVersion ?? 1,
            ExpiredBy = expiredBy,
        };

    public LakeState Clone()
    {
        var clone = new LakeState { Version = Version, Schema = Schema, Timestamp = Timestamp, OldestRetained = OldestRetained, ExpiredBy = ExpiredBy };
        foreach (var (path, file) in Files)
        {
            clone.Files[path] = file;
        }

        foreach (var (name, history) in Pipelines)
        {
            clone.Pipelines[name] = history.Clone();
        }

        return clone;
    }

    public void Apply(CommitRecord commit)
    {
        foreach (var path in commit.Removed)
        {
            Files.Remove(path);
        }

        foreach (var file in commit.Added)
        {
            Files[file.Path] = new LiveFile(file, commit.Version);
        }

        if (commit.OldestRetainedVersion is { } oldest && oldest > OldestRetained)
        {
            OldestRetained = oldest;
            ExpiredBy = commit;
        }

        Schema = commit.Schema;
        Version = commit.Version;
        Timestamp = commit.Timestamp;
        if (commit.PipelineName is not null && commit.RunNumber is { } run)
        {
            if (!Pipelines.TryGetValue(commit.PipelineName, out var history))
            {
                Pipelines[commit.PipelineName] = history = new PipelineHistory();
            }

            history.Runs.Add(run);
            history.Last = commit;
        }
    }

    public bool IsCommitted(string pipeline, long runNumber)
        => Pipelines.TryGetValue(pipeline, out var history) && history.Runs.Contains(runNumber);
}

/// <summary>
/// The log of a lake (docs/lake.md, "The log"): on the first read, the newest valid checkpoint and the manifests after
/// it; on every later read, the manifests published since. Manifests are found by version (the next one is opened
/// until one is missing), never by listing the commit folder, so the cost of a read does not grow with the log.
/// Versions before the checkpoint are read from disk when asked for (<see cref="StateAt"/>, <see cref="Commits"/>).
/// </summary>
internal sealed class LakeLog
{
    /// <summary>The default of <see cref="LakeWriteOptions.CheckpointInterval"/>.</summary>
    public const int DefaultCheckpointInterval = 100;

    private readonly List<CommitRecord> _tail = [];
    private readonly object _gate = new();
    private readonly ILogger _logger;
    private LakeState _checkpoint = new();
    private LakeState _latest = new();
    private long _newestCheckpoint;
    private bool _opened;
    private List<CommitRecord>? _history;

    /// <summary>The newest checkpoint skipped on open because it did not read back intact.</summary>
    private (long Version, string Path, string Problem)? _damaged;

    public LakeLog(LakeLayout layout, ILogger? logger = null)
    {
        Layout = layout;
        _logger = logger ?? NullLogger.Instance;
    }

    public LakeLayout Layout { get; }

    /// <summary>Gets every commit whose manifest is still on disk, oldest first. Those before the checkpoint read on
    /// open are read from disk on the first call.</summary>
    public IReadOnlyList<CommitRecord> Commits
    {
        get
        {
            lock (_gate)
            {
                _history ??= ReadHistory(_checkpoint.Version);
                return [.. _history, .. _tail];
            }
        }
    }

    /// <summary>Gets the version of the checkpoint the state was read from (0 when read from version 1).</summary>
    public long BaseVersion
    {
        get
        {
            lock (_gate)
            {
                return _checkpoint.Version;
            }
        }
    }

    /// <summary>Gets the newest checkpoint this log knows: the one read on open, or a newer one written since.</summary>
    public long CheckpointVersion
    {
        get
        {
            lock (_gate)
            {
                return _newestCheckpoint;
            }
        }
    }

    /// <summary>Gets a copy of the latest folded state.</summary>
    public LakeState Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest.Clone();
            }
        }
    }

    public long LatestVersion
    {
        get
        {
            lock (_gate)
            {
                return _latest.Version;
            }
        }
    }

    /// <summary>Returns a copy of the latest state and the commits read after the checkpoint, as one consistent pair.</summary>
    public (LakeState Latest, IReadOnlyList<CommitRecord> Tail) LatestWithTail()
    {
        lock (_gate)
        {
            return (_latest.Clone(), [.. _tail]);
        }
    }

    /// <summary>Notes a checkpoint this process wrote, so the next one is due an interval later.</summary>
    public void CheckpointWritten(long version)
    {
        lock (_gate)
        {
            _newestCheckpoint = Math.Max(_newestCheckpoint, version);
        }
    }

    /// <summary>Reads the newest checkpoint (first call only) and the manifests published since the last read.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _opened))
        {
            var (state, damaged) = ReadNewestCheckpoint();
            lock (_gate)
            {
                if (!_opened)
                {
                    _checkpoint = state;
                    _latest = state.Clone();
                    _newestCheckpoint = state.Version;
                    _damaged = damaged;
                    Volatile.Write(ref _opened, true);
                }
            }
        }

        var next = LatestVersion + 1;
        while (true)
        {
            var commit = await TryReadManifestAsync(next, cancellationToken).ConfigureAwait(false);
            if (commit is null)
            {
                // Versions are published in order and never removed past the checkpoint: a manifest after the missing
                // one means a gap, unless the missing one was published in between (read it again).
                if (!File.Exists(Layout.CommitFile(next + 1)))
                {
                    break;
                }

                if (File.Exists(Layout.CommitFile(next)))
                {
                    continue;
                }

                throw new DataFormatException(Layout.CommitFile(next), null, null, $"the lake commit log has a gap: version {next} is missing but version {next + 1} exists. Restore the missing manifest.");
            }

            lock (_gate)
            {
                if (commit.Version != _latest.Version + 1)
                {
                    // Another refresh of this log read it first.
                    next = _latest.Version + 1;
                    continue;
                }

                _tail.Add(commit);
                _latest.Apply(commit);
            }

            next++;
        }

        ThrowIfDamagedCheckpointCannotBeReplaced();
        if (_checkpoint.Version == 0 && LatestVersion == 0)
        {
            ThrowIfManifestsWithoutTheFirst();
        }
    }

    /// <summary>Folds the state at <paramref name="version"/>: from the checkpoint read on open when at or after it,
    /// otherwise from disk (the newest checkpoint at or below it, then the manifests up to it).</summary>
    public LakeState StateAt(long version)
    {
        lock (_gate)
        {
            if (version == _latest.Version)
            {
                return _latest.Clone();
            }

            if (version < 0 || version > _latest.Version)
            {
                throw new ArgumentOutOfRangeException(nameof(version), version, $"The lake '{Layout.Root}' has versions 1 to {_latest.Version}.");
            }

            if (version < _latest.OldestRetained)
            {
                throw new LakeVersionExpiredException(Layout.Root, version, _latest.OldestRetained, _latest.ExpiredBy!);
            }

            if (version >= _checkpoint.Version)
            {
                var state = _checkpoint.Clone();
                foreach (var commit in _tail)
                {
                    if (commit.Version > version)
                    {
                        break;
                    }

                    state.Apply(commit);
                }

                return state;
            }
        }

        return ReadStateFromDisk(version);
    }

    /// <summary>Finds the newest checkpoint that reads back intact (the folder is small: one file per interval).
    /// Returns an empty state when there is none, and the newest damaged one skipped, if any.</summary>
    private (LakeState State, (long Version, string Path, string Problem)? Damaged) ReadNewestCheckpoint(long atOrBelow = long.MaxValue)
    {
        (long, string, string)? damaged = null;
        foreach (var version in ListCheckpoints().Where(v => v <= atOrBelow).OrderDescending())
        {
            var path = Layout.CheckpointFile(version);
            if (LakeCheckpoint.TryRead(path, version, out var state, out var problem))
            {
                return (state!, damaged);
            }

            Log.LakeCheckpointIgnored(_logger, Layout.Root, path, problem!);
            damaged ??= (version, path, problem!);
        }

        return (new LakeState(), damaged);
    }

    private List<long> ListCheckpoints()
    {
        var versions = new List<long>();
        if (!Directory.Exists(Layout.Checkpoints))
        {
            return versions;
        }

        foreach (var path in Directory.EnumerateFiles(Layout.Checkpoints))
        {
            if (LakeLayout.TryParseCheckpointFile(Path.GetFileName(path), out var version))
            {
                versions.Add(version);
            }
        }

        return versions;
    }

    /// <summary>A damaged checkpoint stands for manifests 1..V: if the ones after the state that replaced it stop
    /// before V, they are gone and the state cannot be rebuilt.</summary>
    private void ThrowIfDamagedCheckpointCannotBeReplaced()
    {
        if (_damaged is not { } damaged || LatestVersion >= damaged.Version)
        {
            return;
        }

        var missing = Layout.CommitFile(LatestVersion + 1);
        throw new DataFormatException(damaged.Path, null, null,
            $"the lake checkpoint of version {damaged.Version} is damaged ({damaged.Problem}) and the manifests it replaces are gone (the first missing is '{missing}'). Restore the checkpoint or the manifests from a backup.");
    }

    /// <summary>With no checkpoint and no manifest 1, a lake is empty; any later manifest means the start is missing.</summary>
    private void ThrowIfManifestsWithoutTheFirst()
    {
        if (!Directory.Exists(Layout.Commits))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(Layout.Commits))
        {
            // Version 1 may have been published since it was looked for: that is a lake read just before it.
            if (LakeLayout.TryParseCommitFile(Path.GetFileName(path), out var version) && !File.Exists(Layout.CommitFile(1)))
            {
                throw new DataFormatException(Layout.CommitFile(1), null, null, $"the lake commit log has a gap: version 1 is missing but version {version} exists, and no checkpoint replaces the missing versions. Restore the missing manifests.");
            }
        }
    }

    private async Task<CommitRecord?> TryReadManifestAsync(long version, CancellationToken cancellationToken)
    {
        var file = Layout.CommitFile(version);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return CommitRecord.Parse(bytes, file, version);
    }

    private CommitRecord? TryReadManifest(long version)
    {
        var file = Layout.CommitFile(version);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return CommitRecord.Parse(bytes, file, version);
    }

    /// <summary>Reads the manifests at or below <paramref name="version"/> that are still on disk: from it down to the
    /// first one missing (expired), returned oldest first.</summary>
    private List<CommitRecord> ReadHistory(long version)
    {
        var history = new List<CommitRecord>();
        for (var v = version; v >= 1 && TryReadManifest(v) is { } commit; v--)
        {
            history.Add(commit);
        }

        history.Reverse();
        return history;
    }

    /// <summary>Time travel before the checkpoint read on open: the newest intact checkpoint at or below the version,
    /// then the manifests up to it, which must all still be on disk.</summary>
    private LakeState ReadStateFromDisk(long version)
    {
        var (state, _) = ReadNewestCheckpoint(version);
        for (var v = state.Version + 1; v <= version; v++)
        {
            var commit = TryReadManifest(v)
                ?? throw new DataFormatException(Layout.CommitFile(v), null, null, $"version {version} of the lake cannot be read: its manifest of version {v} is gone (expired) and no checkpoint at or below version {version} replaces it. Read a retained version.");
            state.Apply(commit);
        }

        return state;
    }
}

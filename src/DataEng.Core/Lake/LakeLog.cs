using System.Globalization;

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
        Retired = Path.Combine(Metadata, "retired");
    }

    public string Root { get; }

    public string Metadata { get; }

    public string Commits { get; }

    public string Staging { get; }

    /// <summary>Gets the folder of data files replaced by a commit and kept for older snapshots (see <see cref="RetiredFiles"/>).</summary>
    public string Retired { get; }

    public string CommitFile(long version) => Path.Combine(Commits, version.ToString("D20", CultureInfo.InvariantCulture) + ".json");

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
    public HashSet<long> Runs { get; } = [];

    public CommitRecord? Last { get; set; }
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

    public LakeState Clone()
    {
        var clone = new LakeState { Version = Version, Schema = Schema, Timestamp = Timestamp, OldestRetained = OldestRetained, ExpiredBy = ExpiredBy };
        foreach (var (path, file) in Files)
        {
            clone.Files[path] = file;
        }

        foreach (var (name, history) in Pipelines)
        {
            var copy = new PipelineHistory { Last = history.Last };
            copy.Runs.UnionWith(history.Runs);
            clone.Pipelines[name] = copy;
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
/// The commit log of a lake: reads the versioned manifests under <c>_dataeng/commits</c> (new ones only on refresh)
/// and folds them into snapshots.
/// </summary>
internal sealed class LakeLog
{
    private readonly List<CommitRecord> _commits = [];
    private readonly object _gate = new();
    private LakeState _latest = new();

    public LakeLog(LakeLayout layout)
    {
        Layout = layout;
    }

    public LakeLayout Layout { get; }

    public IReadOnlyList<CommitRecord> Commits
    {
        get
        {
            lock (_gate)
            {
                return [.. _commits];
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

    /// <summary>Reads the manifests published since the last refresh.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Layout.Commits))
        {
            return;
        }

        var versions = new List<long>();
        foreach (var path in Directory.EnumerateFiles(Layout.Commits))
        {
            if (LakeLayout.TryParseCommitFile(Path.GetFileName(path), out var version))
            {
                versions.Add(version);
            }
        }

        versions.Sort();
        var known = LatestVersion;
        foreach (var version in versions)
        {
            if (version <= known)
            {
                continue;
            }

            if (version != known + 1)
            {
                throw new DataFormatException(Layout.CommitFile(known + 1), null, null, $"the lake commit log has a gap: version {known + 1} is missing but version {version} exists. Restore the missing manifest.");
            }

            var file = Layout.CommitFile(version);
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            var commit = CommitRecord.Parse(bytes, file, version);
            lock (_gate)
            {
                _commits.Add(commit);
                _latest.Apply(commit);
            }

            known = version;
        }
    }

    /// <summary>Folds the commits up to <paramref name="version"/>.</summary>
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

            var state = new LakeState();
            foreach (var commit in _commits)
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
}

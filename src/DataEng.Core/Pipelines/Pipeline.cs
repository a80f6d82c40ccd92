using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// A validated, immutable chain of source, transforms and sink. Reusable: every <see cref="RunAsync(CancellationToken)"/>
/// is an independent run. Create one with <see cref="Create"/>.
/// </summary>
public sealed partial class Pipeline
{
    private readonly ISource _source;
    private readonly ITransform[] _transforms;
    private readonly ISink _sink;
    private readonly Schema[] _schemas;
    private readonly PipelineOptions _options;
    private readonly string[] _stageNames;
    private long _lastRunNumber;

    internal Pipeline(string name, ISource source, ITransform[] transforms, ISink sink, Schema[] schemas, PipelineOptions options)
    {
        Name = name;
        _source = source;
        _transforms = transforms;
        _sink = sink;
        _schemas = schemas;
        _options = options;
        _stageNames = UniqueNames([source.Name, .. transforms.Select(static t => t.Name), sink.Name]);
    }

    /// <summary>Starts building a pipeline.</summary>
    /// <param name="name">A stable name: incremental runs key their checkpoints on it.</param>
    /// <returns>A builder.</returns>
    public static PipelineBuilder Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new PipelineBuilder(name);
    }

    /// <summary>Gets the pipeline name.</summary>
    public string Name { get; }

    /// <summary>Gets the source.</summary>
    public ISource Source => _source;

    /// <summary>Gets the transforms, in order.</summary>
    public IReadOnlyList<ITransform> Transforms => _transforms;

    /// <summary>Gets the sink.</summary>
    public ISink Sink => _sink;

    /// <summary>Gets the schema the sink receives.</summary>
    public Schema OutputSchema => _schemas[^1];

    internal PipelineOptions Options => _options;

    /// <summary>Gets the stage names as they appear in errors and run results (made unique with a <c>#n</c> suffix).</summary>
    public IReadOnlyList<string> StageNames => _stageNames;

    private static string[] UniqueNames(string[] names)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new string[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            var count = seen.TryGetValue(names[i], out var c) ? c + 1 : 1;
            seen[names[i]] = count;
            result[i] = count == 1 ? names[i] : $"{names[i]}#{count}";
        }

        return result;
    }
}

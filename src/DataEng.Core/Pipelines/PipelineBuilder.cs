using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// Composes a pipeline: one source, any number of transforms (run in the order added), one sink.
/// <see cref="Build"/> validates the whole chain and freezes it; the builder cannot be changed afterwards.
/// </summary>
public sealed class PipelineBuilder
{
    private readonly List<ITransform> _transforms = [];
    private readonly PipelineOptions _options = new();
    private ISource? _source;
    private ISink? _sink;
    private bool _built;

    internal PipelineBuilder(string name)
    {
        Name = name;
    }

    /// <summary>Gets the pipeline name.</summary>
    public string Name { get; }

    /// <summary>Sets the source.</summary>
    /// <param name="source">The source.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">A source is already set, or the pipeline was built.</exception>
    public PipelineBuilder Extract(ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureNotBuilt();
        if (_source is not null)
        {
            throw new InvalidOperationException($"Pipeline '{Name}' already has the source '{_source.Name}'.");
        }

        _source = source;
        return this;
    }

    /// <summary>Appends a transform (an <see cref="IBatchTransform"/> or an <see cref="IStreamTransform"/>).</summary>
    /// <param name="transform">The transform.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The pipeline was built.</exception>
    public PipelineBuilder Transform(ITransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        EnsureNotBuilt();
        if (transform is not IBatchTransform and not IStreamTransform)
        {
            throw new ArgumentException($"Transform '{transform.Name}' must implement {nameof(IBatchTransform)} or {nameof(IStreamTransform)}.", nameof(transform));
        }

        _transforms.Add(transform);
        return this;
    }

    /// <summary>Sets the sink.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">A sink is already set, or the pipeline was built.</exception>
    public PipelineBuilder Load(ISink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        EnsureNotBuilt();
        if (_sink is not null)
        {
            throw new InvalidOperationException($"Pipeline '{Name}' already has the sink '{_sink.Name}'.");
        }

        _sink = sink;
        return this;
    }

    /// <summary>Changes options (channel capacity, parallelism, logging, clock).</summary>
    /// <param name="configure">Sets options.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Configure(Action<PipelineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        EnsureNotBuilt();
        configure(_options);
        return this;
    }

    /// <summary>Validates the whole chain and builds an immutable, reusable pipeline.</summary>
    /// <returns>The pipeline.</returns>
    /// <exception cref="PipelineValidationException">Something is wrong; every problem found is listed.</exception>
    public Pipeline Build()
    {
        EnsureNotBuilt();
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("The pipeline name must not be empty.");
        }

        problems.AddRange(_options.Validate());

        if (_source is null)
        {
            problems.Add("No source: call Extract(...).");
        }

        if (_sink is null)
        {
            problems.Add("No sink: call Load(...).");
        }

        var schemas = new List<Schema>();
        Schema? schema = null;
        if (_source is not null)
        {
            schema = Try(problems, _source.Name, () => _source.Schema);
            if (schema is not null)
            {
                schemas.Add(schema);
            }
        }

        foreach (var transform in _transforms)
        {
            if (schema is null)
            {
                break;
            }

            var input = schema;
            schema = Try(problems, transform.Name, () => transform.GetOutputSchema(input));
            if (schema is not null)
            {
                schemas.Add(schema);
            }
        }

        if (_sink is not null && schema is not null)
        {
            var input = schema;
            Try(problems, _sink.Name, () =>
            {
                _sink.Validate(input);
                return input;
            });
        }

        if (problems.Count > 0)
        {
            throw new PipelineValidationException(Name, problems);
        }

        _built = true;
        return new Pipeline(Name, _source!, [.. _transforms], _sink!, [.. schemas], _options.Clone());
    }

    private static Schema? Try(List<string> problems, string stage, Func<Schema> step)
    {
        try
        {
            return step();
        }
        catch (SchemaMismatchException e)
        {
            problems.AddRange(e.Problems.Select(p => $"{stage}: {p}"));
        }
        catch (Exception e) when (e is DataEngException or ArgumentException or InvalidOperationException or IOException or NotSupportedException or FormatException)
        {
            problems.Add($"{stage}: {e.Message}");
        }

        return null;
    }

    private void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException($"Pipeline '{Name}' was already built; create a new builder to change it.");
        }
    }
}

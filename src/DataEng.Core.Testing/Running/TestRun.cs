using Apache.Arrow;

namespace DataEng.Core.Testing;

/// <summary>
/// Runs transforms or whole pipelines in memory, through the real pipeline runner (ordering, ownership, commit), and
/// collects what reaches the sink. Input batches stay owned by the caller; the output belongs to the returned
/// <see cref="TestRunResult"/>, which the caller disposes.
/// </summary>
public static class TestRun
{
    /// <summary>Runs one transform over input batches.</summary>
    /// <param name="transform">The transform under test (a batch or a stream transform).</param>
    /// <param name="input">The input batches, all of one schema. With no batches, set <see cref="TestRunOptions.InputSchema"/>.</param>
    /// <param name="options">Run options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output.</returns>
    /// <exception cref="PipelineValidationException">The transform rejects the input schema.</exception>
    /// <exception cref="PipelineStageException">The transform failed; the inner exception is its failure.</exception>
    public static Task<TestRunResult> TransformAsync(ITransform transform, IEnumerable<RecordBatch> input, TestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return TransformsAsync([transform], input, options, cancellationToken);
    }

    /// <summary>Runs a chain of transforms, in order, over input batches.</summary>
    /// <param name="transforms">The transforms, in order (none: the input passes through).</param>
    /// <param name="input">The input batches, all of one schema. With no batches, set <see cref="TestRunOptions.InputSchema"/>.</param>
    /// <param name="options">Run options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output.</returns>
    /// <exception cref="PipelineValidationException">The chain does not fit together.</exception>
    /// <exception cref="PipelineStageException">A transform failed; the inner exception is its failure.</exception>
    public static Task<TestRunResult> TransformsAsync(IEnumerable<ITransform> transforms, IEnumerable<RecordBatch> input, TestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        ArgumentNullException.ThrowIfNull(input);
        List<RecordBatch> batches = [.. input];
        var schema = options?.InputSchema ?? (batches.Count > 0
            ? batches[0].Schema
            : throw new ArgumentException("At least one input batch is needed to know the input schema; or set TestRunOptions.InputSchema.", nameof(input)));
        return RunAsync(new InMemorySource(schema, batches, "test-input"), transforms, options, cancellationToken);
    }

    /// <summary>Runs a source and transforms into an in-memory sink.</summary>
    /// <param name="source">The source (for example an <see cref="InMemorySource"/> or a <see cref="FlakySource"/>).</param>
    /// <param name="transforms">The transforms, in order, or <see langword="null"/> for none.</param>
    /// <param name="options">Run options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output.</returns>
    /// <exception cref="PipelineValidationException">The chain does not fit together.</exception>
    /// <exception cref="PipelineStageException">A stage failed; the inner exception is the first failure.</exception>
    public static Task<TestRunResult> SourceAsync(ISource source, IEnumerable<ITransform>? transforms = null, TestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return RunAsync(source, transforms ?? [], options, cancellationToken);
    }

    /// <summary>Runs the source and transforms of a built pipeline with its sink replaced by an in-memory one, so a
    /// test sees exactly what would have been written. The pipeline's own options are not carried over (they are not
    /// public): set them through <paramref name="options"/>. The run uses the pipeline's name unless
    /// <see cref="TestRunOptions.PipelineName"/> is set.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="options">Run options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output.</returns>
    /// <exception cref="PipelineStageException">A stage failed; the inner exception is the first failure.</exception>
    public static Task<TestRunResult> PipelineAsync(Pipeline pipeline, TestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return RunAsync(pipeline.Source, pipeline.Transforms, options, cancellationToken, pipeline.Name);
    }

    /// <summary>Runs an incremental source and transforms into an in-memory sink once, as
    /// <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/> would: the run takes the pipeline's lease in
    /// <paramref name="checkpointStore"/>, plans its range from the state committed there by earlier runs, and commits
    /// its new state (watermark) there. Call it again with the same source and store for the next run; with a
    /// <c>FakeTimeProvider</c> as <see cref="TestRunOptions.TimeProvider"/>, move the clock between runs to test lag
    /// and lookback.</summary>
    /// <param name="source">The incremental source (for example <see cref="Incremental.Over"/> over an
    /// <see cref="InMemorySource"/>).</param>
    /// <param name="checkpointStore">Keeps the state between runs (for example a <see cref="FakeCheckpointStore"/>).</param>
    /// <param name="transforms">The transforms, in order, or <see langword="null"/> for none.</param>
    /// <param name="options">Run options, or <see langword="null"/> for defaults. <see cref="TestRunOptions.Run"/> is
    /// not used: the run number follows the store.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output, with the plan in <see cref="TestRunResult.Incremental"/>.</returns>
    /// <exception cref="PipelineValidationException">The chain does not fit together.</exception>
    /// <exception cref="PipelineStageException">A stage failed; nothing was committed.</exception>
    /// <exception cref="PipelineLockedException">The pipeline's lease is held by someone else.</exception>
    public static async Task<TestRunResult> IncrementalAsync(IIncrementalSource source, ICheckpointStore checkpointStore, IEnumerable<ITransform>? transforms = null, TestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(checkpointStore);
        options ??= new TestRunOptions();
        var sink = new CollectingSink("test-output");
        try
        {
            var pipeline = BuildPipeline(source, transforms ?? [], options, sink, null);
            var result = await pipeline.RunIncrementalAsync(new IncrementalRunOptions { CheckpointStore = checkpointStore }, cancellationToken).ConfigureAwait(false);
            return new TestRunResult(sink, pipeline.OutputSchema, result.Run, result);
        }
        catch
        {
            sink.Dispose();
            throw;
        }
    }

    private static async Task<TestRunResult> RunAsync(ISource source, IEnumerable<ITransform> transforms, TestRunOptions? options, CancellationToken cancellationToken, string? defaultName = null)
    {
        options ??= new TestRunOptions();
        var sink = new CollectingSink("test-output");
        try
        {
            var pipeline = BuildPipeline(source, transforms, options, sink, defaultName);
            var result = await pipeline.RunAsync(options.Run, cancellationToken).ConfigureAwait(false);
            return new TestRunResult(sink, pipeline.OutputSchema, result);
        }
        catch
        {
            sink.Dispose();
            throw;
        }
    }

    private static Pipeline BuildPipeline(ISource source, IEnumerable<ITransform> transforms, TestRunOptions options, CollectingSink sink, string? defaultName)
    {
        var builder = Pipeline.Create(options.PipelineName ?? defaultName ?? "test").Extract(source);
        foreach (var transform in transforms)
        {
            builder.Transform(transform);
        }

        return builder.Load(sink).Configure(o =>
        {
            o.MaxDegreeOfParallelism = options.MaxDegreeOfParallelism;
            if (options.TimeProvider is not null)
            {
                o.TimeProvider = options.TimeProvider;
            }

            if (options.Allocator is not null)
            {
                o.Allocator = options.Allocator;
            }

            options.Configure?.Invoke(o);
        }).Build();
    }
}

namespace DataEng.Core.Testing;

/// <summary>Options of <see cref="TestRun"/>.</summary>
public sealed class TestRunOptions
{
    /// <summary>Gets or sets the pipeline name the run uses (and that stages see in their <see cref="RunContext"/>).</summary>
    /// <value>The default value is <see langword="null"/>: <c>test</c>, or the name of the pipeline given to
    /// <see cref="TestRun.PipelineAsync"/>.</value>
    public string? PipelineName { get; set; }

    /// <summary>Gets or sets the input schema, needed when a test feeds no input batches.</summary>
    /// <value>The default value is <see langword="null"/>: the schema of the first input batch.</value>
    public Apache.Arrow.Schema? InputSchema { get; set; }

    /// <summary>Gets or sets the clock of the run, for example a <c>FakeTimeProvider</c>.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets how many batches stateless transforms may process at once.</summary>
    /// <value>The default value is 1, so a test sees transforms called in batch order.</value>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>Gets or sets the run options (run number, run id, commit key/values, progress).</summary>
    /// <value>The default value is <see langword="null"/>: defaults.</value>
    public RunOptions? Run { get; set; }

    /// <summary>Gets or sets a callback that adjusts the pipeline options further.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<PipelineOptions>? Configure { get; set; }
}

using Apache.Arrow;

namespace DataEng.Core.Testing;

/// <summary>
/// The output of an in-memory test run: the committed batches (owned by this object, released by
/// <see cref="Dispose"/>), their schema and the <see cref="RunResult"/>.
/// </summary>
public sealed class TestRunResult : IDisposable
{
    private readonly CollectingSink _sink;

    internal TestRunResult(CollectingSink sink, Schema schema, RunResult result, IncrementalRunResult? incremental = null)
    {
        Incremental = incremental;
        _sink = sink;
        Schema = schema;
        Result = result;
        Batches = sink.Batches;
    }

    /// <summary>Gets the output batches, in order. They belong to this object: do not dispose them.</summary>
    public IReadOnlyList<RecordBatch> Batches { get; }

    /// <summary>Gets the output schema (the schema the sink received).</summary>
    public Schema Schema { get; }

    /// <summary>Gets what the run did: rows, batches, bytes and time per stage.</summary>
    public RunResult Result { get; }

    /// <summary>Gets the plan (the range read) and the state the run started from, for runs of
    /// <see cref="TestRun.IncrementalAsync"/>; <see langword="null"/> for other runs.</summary>
    public IncrementalRunResult? Incremental { get; }

    /// <summary>Gets the number of output rows.</summary>
    public long RowCount => Batches.Sum(static b => (long)b.Length);

    /// <summary>Gets the key/values the run committed (for example a watermark a stage reached).</summary>
    public IReadOnlyDictionary<string, string> CommitProperties => Result.CommitProperties;

    /// <summary>Reads the output rows into .NET objects (see <see cref="TestBatch.ToRows{T}(IEnumerable{RecordBatch})"/>).</summary>
    /// <typeparam name="T">The row type: a tuple, a record, a class or <c>Dictionary&lt;string, object?&gt;</c>.</typeparam>
    /// <returns>The rows, in output order.</returns>
    public IReadOnlyList<T> Rows<T>() => TestBatch.ToRows<T>(Batches);

    /// <summary>Renders the output as a text table.</summary>
    /// <returns>The table.</returns>
    public override string ToString() => Batches.Count == 0 ? "(no output rows) " + SchemaText.Describe(Schema) : TestBatch.Format(Batches);

    /// <summary>Releases the output batches.</summary>
    public void Dispose() => _sink.Dispose();
}

using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core;

/// <summary>
/// Base of the stateless kernel transforms: validates the input schema once (listing every problem), caches the
/// bound plan per input schema, and applies it batch by batch with the run's allocator.
/// </summary>
/// <typeparam name="TPlan">What binding produces (column positions, cast plans, bound predicates).</typeparam>
internal abstract class KernelTransform<TPlan> : IBatchTransform
    where TPlan : class
{
    private volatile Bound? _bound;

    protected KernelTransform(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public Schema GetOutputSchema(Schema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return GetBound(input).Output;
    }

    public RecordBatch Apply(RecordBatch input, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var bound = GetBound(input.Schema);
        return Apply(input, bound.Plan, bound.Output, context.Allocator);
    }

    public override string ToString() => Name;

    /// <summary>Checks the input and binds; adds every problem found (then the return value is ignored).</summary>
    protected abstract (TPlan? Plan, Schema? Output) Bind(Schema input, List<string> problems);

    /// <summary>Applies the plan to a batch (borrowed); the output holds its own references.</summary>
    protected abstract RecordBatch Apply(RecordBatch input, TPlan plan, Schema output, MemoryAllocator allocator);

    private Bound GetBound(Schema input)
    {
        var bound = _bound;
        if (bound is not null && (ReferenceEquals(bound.Input, input) || SchemaComparer.Equivalent(bound.Input, input, compareNullability: true)))
        {
            return bound;
        }

        var problems = new List<string>();
        var (plan, output) = Bind(input, problems);
        SchemaMismatchException.ThrowIfAny($"Transform '{Name}' does not fit its input {SchemaText.Describe(input)}.", problems);
        bound = new Bound(input, plan!, output!);
        _bound = bound;
        return bound;
    }

    private sealed record Bound(Schema Input, TPlan Plan, Schema Output);
}

/// <summary>Keeps some columns, in a given order, without copying.</summary>
internal sealed class SelectTransform(string[] columns) : KernelTransform<int[]>("select")
{
    protected override (int[]? Plan, Schema? Output) Bind(Schema input, List<string> problems)
    {
        var indices = columns.Select(c => ColumnLookup.Find(input, c, problems)).ToArray();
        ColumnLookup.CheckDuplicates(columns, problems, "selection");
        return problems.Count > 0 ? default : (indices, new Schema(indices.Select(i => input.FieldsList[i]), input.Metadata));
    }

    protected override RecordBatch Apply(RecordBatch input, int[] plan, Schema output, MemoryAllocator allocator)
        => BatchOps.Assemble(output, plan.Select(i => input.Column(i).Retain()), input.Length);
}

/// <summary>Renames columns without copying.</summary>
internal sealed class RenameTransform(IReadOnlyDictionary<string, string> names) : KernelTransform<object>("rename")
{
    private static readonly object NoPlan = new();

    protected override (object? Plan, Schema? Output) Bind(Schema input, List<string> problems)
    {
        var output = BatchOps.Rename(input, names, problems);
        return (NoPlan, output);
    }

    protected override RecordBatch Apply(RecordBatch input, object plan, Schema output, MemoryAllocator allocator)
        => BatchOps.Assemble(output, input.Arrays.Select(static a => a.Retain()), input.Length);
}

/// <summary>Keeps the rows where a predicate is true.</summary>
internal sealed class FilterTransform(RowPredicate predicate, string name) : KernelTransform<BoundPredicate>(name)
{
    protected override (BoundPredicate? Plan, Schema? Output) Bind(Schema input, List<string> problems)
    {
        var count = problems.Count;
        predicate.Validate(input, problems);
        BatchOps.CheckLayouts(input, problems);
        return problems.Count > count ? default : (predicate.Bind(input, Name), input);
    }

    protected override RecordBatch Apply(RecordBatch input, BoundPredicate plan, Schema output, MemoryAllocator allocator)
        => BatchOps.Filter(input, plan, allocator);
}

/// <summary>Casts columns to other types; the other columns are passed on without copying.</summary>
internal sealed class CastTransform(IReadOnlyList<KeyValuePair<string, Apache.Arrow.Types.IArrowType>> columns, CastOptions options, string name)
    : KernelTransform<CastPlan?[]>(name)
{
    protected override (CastPlan?[]? Plan, Schema? Output) Bind(Schema input, List<string> problems)
    {
        var count = problems.Count;
        var plans = new CastPlan?[input.FieldsList.Count];
        var fields = input.FieldsList.ToList();
        ColumnLookup.CheckDuplicates(columns.Select(static c => c.Key), problems, "list of columns to cast");
        foreach (var (column, type) in columns)
        {
            var index = ColumnLookup.Find(input, column, problems);
            if (index < 0)
            {
                continue;
            }

            var field = input.FieldsList[index];
            var plan = CastKernel.Bind(field.DataType, type, out var reason);
            if (plan is null)
            {
                problems.Add($"cannot cast column '{column}': {reason}");
                continue;
            }

            plans[index] = plan;
            fields[index] = new Field(field.Name, type, field.IsNullable || options.InvalidToNull, field.Metadata);
        }

        return problems.Count > count ? default : (plans, new Schema(fields, input.Metadata));
    }

    protected override RecordBatch Apply(RecordBatch input, CastPlan?[] plan, Schema output, MemoryAllocator allocator)
    {
        var arrays = new List<IArrowArray>(plan.Length);
        try
        {
            for (var i = 0; i < plan.Length; i++)
            {
                var column = input.Column(i);
                arrays.Add(plan[i] is { } cast
                    ? cast.Execute(column, new CastRun(allocator, options, Name, output.FieldsList[i].Name, cast.From, cast.To))
                    : column.Retain());
            }

            return BatchOps.Assemble(output, arrays, input.Length);
        }
        catch
        {
            arrays.ForEach(static a => a.Dispose());
            throw;
        }
    }
}

/// <summary>Adds (or replaces) one computed column; the other columns are passed on without copying.</summary>
internal sealed class ComputedColumnTransform(string name, string output, Func<Schema, List<string>, (Func<RecordBatch, MemoryAllocator, IArrowArray>? Compute, Field? Field)> bind)
    : KernelTransform<ComputedColumnTransform.Plan>(name)
{
    protected override (Plan? Plan, Schema? Output) Bind(Schema input, List<string> problems)
    {
        var count = problems.Count;
        var (compute, field) = bind(input, problems);
        if (problems.Count > count || compute is null || field is null)
        {
            return default;
        }

        var fields = input.FieldsList.ToList();
        var matches = fields.Select((f, i) => (f, i)).Where(x => x.f.Name == output).Select(static x => x.i).ToList();
        if (matches.Count > 1)
        {
            problems.Add($"column name '{output}' is ambiguous: the input has {matches.Count} columns with that name");
            return default;
        }

        var position = matches.Count == 1 ? matches[0] : fields.Count;
        if (position == fields.Count)
        {
            fields.Add(field);
        }
        else
        {
            fields[position] = field;
        }

        return (new Plan(compute, position), new Schema(fields, input.Metadata));
    }

    protected override RecordBatch Apply(RecordBatch input, Plan plan, Schema output, MemoryAllocator allocator)
    {
        var computed = plan.Compute(input, allocator);
        var arrays = new List<IArrowArray>(output.FieldsList.Count);
        for (var i = 0; i < input.ColumnCount; i++)
        {
            arrays.Add(i == plan.Position ? computed : input.Column(i).Retain());
        }

        if (plan.Position == input.ColumnCount)
        {
            arrays.Add(computed);
        }

        return BatchOps.Assemble(output, arrays, input.Length);
    }

    internal sealed record Plan(Func<RecordBatch, MemoryAllocator, IArrowArray> Compute, int Position);
}

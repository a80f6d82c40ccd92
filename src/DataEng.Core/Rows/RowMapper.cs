using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Array = System.Array;

namespace DataEng.Core;

/// <summary>
/// Maps rows of <typeparamref name="T"/> to and from Arrow record batches. Built once per type and option values
/// (cached) with compiled expression trees: one extractor per property for writing, one row constructor for reading.
/// Thread-safe and immutable once built.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class RowMapper<T>
{
    private static readonly ConcurrentDictionary<RowMappingKey, RowMapper<T>> Cache = new();

    private readonly Lazy<MemberWriter<T>[]> _writers;
    private readonly Lazy<RowReaderPlan<T>> _reader;
    private readonly ConditionalWeakTable<Schema, RowBinding<T>> _bindings = new();
    private readonly List<(Schema Schema, RowBinding<T> Binding)> _recentBindings = [];

    private RowMapper(RowMappingKey options)
    {
        Options = options;
        var problems = new List<string>();
        Members = RowMember.Discover(typeof(T), options, problems);
        SchemaMismatchException.ThrowIfAny($"Type '{RowTypeNames.Display(typeof(T))}' cannot be mapped to Arrow columns.", problems);
        Schema = new Schema(Members.Select(static m => new Field(m.ColumnName, m.ArrowType, m.AllowsNull)), null);
        _writers = new Lazy<MemberWriter<T>[]>(() => RowCompiler.CreateWriters<T>(Members), LazyThreadSafetyMode.ExecutionAndPublication);
        _reader = new Lazy<RowReaderPlan<T>>(() => RowCompiler.CreateReader<T>(Members), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public RowMappingKey Options { get; }

    /// <summary>Gets the mapped properties in column order.</summary>
    public RowMember[] Members { get; }

    /// <summary>Gets the schema of the batches this mapper writes.</summary>
    public Schema Schema { get; }

    private static string TypeName => RowTypeNames.Display(typeof(T));

    /// <summary>Returns the mapper of <typeparamref name="T"/> for the options (built on first use).</summary>
    /// <exception cref="DataEngValidationException">The options are not valid; every problem is listed.</exception>
    /// <exception cref="SchemaMismatchException">The type cannot be mapped; every problem is listed.</exception>
    public static RowMapper<T> Get(RowMappingOptions? options)
    {
        var key = (options ?? RowMappingOptions.Default).ToKey();
        return Cache.TryGetValue(key, out var mapper) ? mapper : Cache.GetOrAdd(key, new RowMapper<T>(key));
    }

    /// <summary>Builds one batch from <paramref name="count"/> rows. The caller owns the batch.</summary>
    public RecordBatch Write(T[] rows, int count, in EncodeContext context)
    {
        if (!typeof(T).IsValueType)
        {
            for (var i = 0; i < count; i++)
            {
                if (rows[i] is null)
                {
                    throw new DataFormatException(context.Source, context.FirstRow + i, null, $"the row is null; a {TypeName} is required");
                }
            }
        }

        var writers = _writers.Value;
        var arrays = new IArrowArray[writers.Length];
        try
        {
            for (var c = 0; c < writers.Length; c++)
            {
                arrays[c] = writers[c].Write(rows, count, context);
            }
        }
        catch
        {
            foreach (var array in arrays)
            {
                array?.Dispose();
            }

            throw;
        }

        return new RecordBatch(Schema, arrays, count);
    }

    /// <summary>Builds one batch from rows, on the given allocator (for helpers and tests).</summary>
    public RecordBatch Write(IEnumerable<T> rows, Apache.Arrow.Memory.MemoryAllocator allocator, string source)
    {
        var array = rows as T[] ?? [.. rows];
        return Write(array, array.Length, new EncodeContext(allocator, new BufferScratch(), source, 1));
    }

    /// <summary>Lists every reason rows of <typeparamref name="T"/> cannot be read from <paramref name="schema"/>.</summary>
    public IReadOnlyList<string> BindProblems(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (_bindings.TryGetValue(schema, out _))
        {
            return [];
        }

        TryBind(schema, out var problems);
        return problems;
    }

    /// <summary>Binds the reader to <paramref name="schema"/> (cached per schema instance).</summary>
    /// <exception cref="SchemaMismatchException">The schema does not fit; every problem is listed.</exception>
    public RowBinding<T> Bind(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (_bindings.TryGetValue(schema, out var binding) || TryReuse(schema, out binding))
        {
            return binding;
        }

        binding = TryBind(schema, out var problems);
        if (binding is null)
        {
            throw new SchemaMismatchException($"Rows of type '{TypeName}' cannot be read from {SchemaText.Describe(schema)}.", problems);
        }

        _bindings.AddOrUpdate(schema, binding);
        lock (_recentBindings)
        {
            if (_recentBindings.Count == 8)
            {
                _recentBindings.RemoveAt(0);
            }

            _recentBindings.Add((schema, binding));
        }

        return binding;
    }

    /// <summary>Reuses the binding of an equivalent schema (same names and types in the same order): sources that
    /// build a new <see cref="Schema"/> instance per batch must not pay for binding on every batch.</summary>
    private bool TryReuse(Schema schema, out RowBinding<T> binding)
    {
        lock (_recentBindings)
        {
            foreach (var (known, knownBinding) in _recentBindings)
            {
                if (SchemaComparer.Equivalent(known, schema))
                {
                    binding = knownBinding;
                    _bindings.AddOrUpdate(schema, knownBinding);
                    return true;
                }
            }
        }

        binding = null!;
        return false;
    }

    /// <summary>Reads every row of a batch into a new list.</summary>
    public List<T> ReadAll(RecordBatch batch, string source, long firstRow = 1)
    {
        var binding = Bind(batch.Schema);
        var rows = ArrayPool<T>.Shared.Rent(Math.Max(batch.Length, 1));
        try
        {
            binding.Read(batch, rows, new DecodeContext(source, firstRow));
            var list = new List<T>(batch.Length);
            list.AddRange(new ArraySegment<T>(rows, 0, batch.Length));
            return list;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rows, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }

    private RowBinding<T>? TryBind(Schema schema, out List<string> problems)
    {
        problems = [];
        var plan = _reader.Value;
        if (plan.Problems.Count > 0)
        {
            problems.AddRange(plan.Problems);
            return null;
        }

        var fields = schema.FieldsList;
        var indexes = new int[plan.Slots.Length];
        var decoders = new ColumnDecoder[plan.Slots.Length];
        for (var s = 0; s < plan.Slots.Length; s++)
        {
            var member = plan.Slots[s];
            var index = FindColumn(fields, member, problems);
            if (index < 0)
            {
                continue;
            }

            indexes[s] = index;
            var decoder = ColumnCodecs.CreateDecoder(member, fields[index], out var problem);
            if (decoder is null)
            {
                problems.Add(problem!);
            }
            else
            {
                decoders[s] = decoder;
            }
        }

        return problems.Count > 0 ? null : new RowBinding<T>(indexes, decoders, plan.Construct);
    }

    private int FindColumn(IReadOnlyList<Field> fields, RowMember member, List<string> problems)
    {
        var names = new string[fields.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = fields[i].Name;
        }

        var found = ColumnNameMatcher.Find(names, member.ColumnName, Options.CaseInsensitiveColumnMatching, out var ambiguous);
        if (ambiguous >= 0)
        {
            problems.Add($"property '{member.Display}' matches both columns '{names[found]}' and '{names[ambiguous]}' (ignoring case and underscores); name the one to use with [ArrowColumn(\"...\")].");
            return -1;
        }

        if (found < 0)
        {
            problems.Add($"property '{member.Display}' ({member.TypeDisplay}) has no column '{member.ColumnName}'; add the column, " +
                $"map the property to another with [ArrowColumn(\"...\")], or leave it out with [ArrowIgnore].");
        }

        return found;
    }
}

/// <summary>A reader bound to one input schema: which column feeds which property, and how it is decoded.</summary>
internal sealed class RowBinding<T>(int[] columnIndexes, ColumnDecoder[] decoders, Action<Array[], int, T[]> construct)
{
    /// <summary>Reads every row of <paramref name="batch"/> into <paramref name="destination"/> (at least batch-length long).</summary>
    public void Read(RecordBatch batch, T[] destination, in DecodeContext context)
    {
        var columns = new Array[decoders.Length];
        try
        {
            for (var c = 0; c < decoders.Length; c++)
            {
                columns[c] = decoders[c].Decode(batch.Column(columnIndexes[c]), context);
            }

            construct(columns, batch.Length, destination);
        }
        finally
        {
            for (var c = 0; c < decoders.Length; c++)
            {
                if (columns[c] is { } values)
                {
                    decoders[c].Return(values);
                }
            }
        }
    }
}

/// <summary>How rows of a type are created when read: the compiled constructor and the members it needs columns for.</summary>
internal sealed class RowReaderPlan<T>(RowMember[] slots, Action<Array[], int, T[]> construct, IReadOnlyList<string> problems)
{
    /// <summary>Gets the members read from columns, in the order the constructor delegate takes their value arrays.</summary>
    public RowMember[] Slots { get; } = slots;

    public Action<Array[], int, T[]> Construct { get; } = construct;

    /// <summary>Gets why the type cannot be created (no usable constructor...); empty when it can.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Extracts one property of every row and encodes the values into an Arrow array.</summary>
internal abstract class MemberWriter<T>
{
    public abstract IArrowArray Write(T[] rows, int count, in EncodeContext context);
}

internal sealed class MemberWriter<T, TProp>(Action<T[], int, TProp[]> extract, ColumnEncoder<TProp> encoder) : MemberWriter<T>
{
    public override IArrowArray Write(T[] rows, int count, in EncodeContext context)
    {
        var values = ArrayPool<TProp>.Shared.Rent(Math.Max(count, 1));
        try
        {
            extract(rows, count, values);
            return encoder.Encode(values.AsSpan(0, count), context);
        }
        finally
        {
            ArrayPool<TProp>.Shared.Return(values, RuntimeHelpers.IsReferenceOrContainsReferences<TProp>());
        }
    }
}

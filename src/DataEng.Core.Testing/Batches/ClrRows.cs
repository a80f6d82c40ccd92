using System.Globalization;
using System.Reflection;
using Apache.Arrow;
using Apache.Arrow.Memory;

namespace DataEng.Core.Testing;

/// <summary>
/// Reflection-based conversion between .NET rows (anonymous objects, tuples, records, classes, <c>object?[]</c>) and
/// record batches. Small and slow on purpose: for test data, not for pipelines.
/// </summary>
internal static class ClrRows
{
    private const string Source = "test rows";

    public static RecordBatch ToBatch<T>(IEnumerable<T> rows, Schema? schema, IReadOnlyList<string>? columnNames, MemoryAllocator? allocator)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var members = Members(typeof(T));
        if (schema is null && members is null)
        {
            throw new ArgumentException($"Rows of type {typeof(T).Name} carry no column names or types; pass a schema.", nameof(rows));
        }

        var positional = members is null || IsTuple(typeof(T));
        Func<object, object?>[] getters;
        Field[] fields;
        if (schema is not null)
        {
            fields = [.. schema.FieldsList];
            getters = positional ? PositionalGetters(typeof(T), members, fields.Length) : NamedGetters(typeof(T), members!, fields);
        }
        else
        {
            if (columnNames is not null && columnNames.Count != members!.Count)
            {
                throw new ArgumentException($"{columnNames.Count} column names were given for rows with {members.Count} members.", nameof(columnNames));
            }

            getters = [.. members!.Select(static m => m.Get)];
            fields = new Field[members!.Count];
            for (var c = 0; c < fields.Length; c++)
            {
                var name = columnNames?[c] ?? members[c].Name;
                fields[c] = InferField(name, members[c].Type, list.Select(r => r is null ? null : getters[c](r)));
            }
        }

        var arrays = new IArrowArray[fields.Length];
        try
        {
            for (var c = 0; c < fields.Length; c++)
            {
                var values = new object?[list.Count];
                for (var r = 0; r < list.Count; r++)
                {
                    var row = list[r] ?? throw new ArgumentException($"Row {r + 1} is null.", nameof(rows));
                    values[r] = getters[c](row);
                    if (values[r] is null && !fields[c].IsNullable)
                    {
                        throw new DataFormatException(Source, r + 1, fields[c].Name, "null in a column that is not nullable.");
                    }
                }

                var field = fields[c];
                arrays[c] = ArrowValues.Build(field.DataType, values, allocator, r => $"{Source}, row {r + 1}, column '{field.Name}'");
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

        return new RecordBatch(schema ?? new Schema(fields, null), arrays, list.Count);
    }

    private static Field InferField(string name, Type type, IEnumerable<object?> values)
    {
        var seen = values.ToList();
        var hasNull = seen.Any(static v => v is null);
        var runtime = type == typeof(object) ? seen.FirstOrDefault(static v => v is not null)?.GetType() : type;
        if (runtime is null)
        {
            throw new ArgumentException($"Column '{name}' has only nulls and no .NET type to infer an Arrow type from; pass a schema.");
        }

        var scale = seen.OfType<decimal>().Select(static d => (int)d.Scale).DefaultIfEmpty(0).Max();
        var arrowType = ColumnTypes.FromClr(runtime, scale, out var declaredNullable)
            ?? throw new ArgumentException($"Column '{name}' has .NET type {runtime.Name}, which has no Arrow mapping in the testing kit; pass a schema or use another type.");
        return new Field(name, arrowType, declaredNullable || hasNull);
    }

    private static Func<object, object?>[] PositionalGetters(Type type, List<Member>? members, int count)
    {
        if (members is null)
        {
            // object?[] or IList rows
            return [.. Enumerable.Range(0, count).Select(static i => (Func<object, object?>)(row => row is System.Collections.IList l
                ? (i < l.Count ? l[i] : throw new ArgumentException($"A row has {l.Count} values; the schema has more columns."))
                : throw new ArgumentException("Positional rows must be lists or arrays.")))];
        }

        if (members.Count != count)
        {
            throw new ArgumentException($"Rows of type {type.Name} have {members.Count} values; the schema has {count} columns.");
        }

        return [.. members.Select(static m => m.Get)];
    }

    private static Func<object, object?>[] NamedGetters(Type type, List<Member> members, Field[] fields)
    {
        var problems = new List<string>();
        var getters = new Func<object, object?>[fields.Length];
        var memberNames = members.Select(static m => m.Name).ToArray();
        var fieldNames = fields.Select(static f => f.Name).ToArray();
        for (var i = 0; i < fields.Length; i++)
        {
            var index = ColumnNameMatcher.Find(memberNames, fields[i].Name, loose: true, out var ambiguous);
            var member = index >= 0 && ambiguous < 0 ? members[index] : null;
            if (ambiguous >= 0)
            {
                problems.Add($"column '{fields[i].Name}' matches both members '{memberNames[index]}' and '{memberNames[ambiguous]}' of {type.Name}");
            }
            else if (member is null)
            {
                problems.Add($"column '{fields[i].Name}' has no member in {type.Name}");
            }
            else
            {
                getters[i] = member.Get;
            }
        }

        foreach (var member in members)
        {
            if (ColumnNameMatcher.Find(fieldNames, member.Name, loose: true, out _) < 0)
            {
                problems.Add($"member '{member.Name}' of {type.Name} is not in the schema");
            }
        }

        SchemaMismatchException.ThrowIfAny($"Rows of type {type.Name} do not fit the schema {SchemaText.Describe(new Schema(fields, null))}.", problems);
        return getters;
    }

    /// <summary>Reads rows of batches into .NET objects.</summary>
    public static List<T> FromBatches<T>(IEnumerable<RecordBatch> batches)
    {
        var result = new List<T>();
        Func<object?[], T>? create = null;
        Schema? schema = null;
        foreach (var batch in batches)
        {
            if (create is null || !ReferenceEquals(schema, batch.Schema))
            {
                schema = batch.Schema;
                create = Creator<T>(schema);
            }

            var values = new object?[batch.ColumnCount];
            for (var r = 0; r < batch.Length; r++)
            {
                for (var c = 0; c < values.Length; c++)
                {
                    values[c] = ArrowValues.Get(batch.Column(c), r);
                }

                try
                {
                    result.Add(create(values));
                }
                catch (RowMappingException e)
                {
                    throw new InvalidOperationException($"Row {result.Count + 1}: {e.Message}", e.InnerException);
                }
            }
        }

        return result;
    }

    private static Func<object?[], T> Creator<T>(Schema schema)
    {
        var type = typeof(T);
        var names = schema.FieldsList.Select(static f => f.Name).ToArray();
        if (type == typeof(object?[]) || type == typeof(object[]))
        {
            return static values => (T)(object)values.ToArray();
        }

        if (type.IsAssignableFrom(typeof(Dictionary<string, object?>)))
        {
            return values =>
            {
                var row = new Dictionary<string, object?>(names.Length, StringComparer.Ordinal);
                for (var i = 0; i < names.Length; i++)
                {
                    row[names[i]] = values[i];
                }

                return (T)(object)row;
            };
        }

        if (IsTuple(type))
        {
            var items = type.GetGenericArguments();
            if (items.Length > names.Length)
            {
                throw new InvalidOperationException($"{type.Name} has {items.Length} items; the batches have {names.Length} columns.");
            }

            var ctor = type.GetConstructor(items)!;
            return values => (T)ctor.Invoke([.. items.Select((t, i) => ConvertTo(t, values[i], names[i]))]);
        }

        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Select(c => (Ctor: c, Map: c.GetParameters().Select(p => ColumnOf(names, p.Name!)).ToArray()))
            .Where(static c => c.Map.All(static i => i >= 0))
            .OrderByDescending(static c => c.Map.Length)
            .ToList();
        if (constructors.Count == 0 && !type.IsValueType)
        {
            throw new InvalidOperationException($"{type.Name} has no public constructor whose parameters all match columns of {SchemaText.Describe(schema)}.");
        }

        ConstructorInfo? constructor = constructors.Count > 0 ? constructors[0].Ctor : null;
        int[] map = constructors.Count > 0 ? constructors[0].Map : [];
        var parameters = constructor?.GetParameters() ?? [];
        var setters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .Select(p => (Property: p, Column: ColumnOf(names, p.Name)))
            .Where(s => s.Column >= 0 && !map.Contains(s.Column))
            .ToArray();
        return values =>
        {
            var args = new object?[parameters.Length];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = ConvertTo(parameters[i].ParameterType, values[map[i]], names[map[i]]);
            }

            var instance = constructor is null ? Activator.CreateInstance(type)! : constructor.Invoke(args);
            foreach (var setter in setters)
            {
                setter.Property.SetValue(instance, ConvertTo(setter.Property.PropertyType, values[setter.Column], names[setter.Column]));
            }

            return (T)instance;
        };
    }

    private static object? ConvertTo(Type target, object? value, string column)
    {
        var underlying = Nullable.GetUnderlyingType(target);
        if (value is null)
        {
            if (target.IsValueType && underlying is null)
            {
                throw new RowMappingException($"column '{column}' is null but the target type is {target.Name}; make the member nullable.");
            }

            return null;
        }

        var type = underlying ?? target;
        if (type.IsInstanceOfType(value))
        {
            return value;
        }

        try
        {
            return (value, type) switch
            {
                (DateTimeOffset o, _) when type == typeof(DateTime) => o.UtcDateTime,
                (DateTime d, _) when type == typeof(DateTimeOffset) => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Unspecified), TimeSpan.Zero),
                (DateOnly d, _) when type == typeof(DateTime) => d.ToDateTime(TimeOnly.MinValue),
                (DateTime d, _) when type == typeof(DateOnly) => DateOnly.FromDateTime(d),
                (TimeOnly t, _) when type == typeof(TimeSpan) => t.ToTimeSpan(),
                (string s, _) when type.IsEnum => Enum.Parse(type, s, ignoreCase: true),
                (_, _) when type.IsEnum => Enum.ToObject(type, value),
                (string s, _) when type == typeof(Guid) => Guid.Parse(s),
                (object?[] items, _) when type.IsArray => ToArray(type.GetElementType()!, items, column),
                _ => System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new RowMappingException($"column '{column}' holds {ArrowValues.Format(value)} ({value.GetType().Name}), which does not convert to {target.Name}.", e);
        }
    }

    private static System.Array ToArray(Type element, object?[] items, string column)
    {
        var array = System.Array.CreateInstance(element, items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            array.SetValue(ConvertTo(element, items[i], column), i);
        }

        return array;
    }

    /// <summary>Finds a member's column by the rule rows are read with in pipelines (<see cref="ColumnNameMatcher"/>).</summary>
    private static int ColumnOf(string[] names, string member)
    {
        var index = ColumnNameMatcher.Find(names, member, loose: true, out var ambiguous);
        return ambiguous < 0
            ? index
            : throw new InvalidOperationException($"'{member}' matches both columns '{names[index]}' and '{names[ambiguous]}' (ignoring case and underscores); rename one of them.");
    }

    private static bool IsTuple(Type type)
        => type.IsGenericType && (type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal) || type.FullName.StartsWith("System.Tuple`", StringComparison.Ordinal));

    private static List<Member>? Members(Type type)
    {
        if (type == typeof(object?[]) || type == typeof(object[]) || typeof(System.Collections.IList).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsGenericType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
        {
            if (type.GetGenericArguments().Length > 7)
            {
                throw new ArgumentException("Tuples of more than 7 items are not supported; use an anonymous object or a record.");
            }

            return [.. type.GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(static f => f.Name, StringComparer.Ordinal)
                .Select(static f => new Member(f.Name, f.FieldType, f.GetValue))];
        }

        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.GetMethod is not null && p.GetIndexParameters().Length == 0)
            .OrderBy(static p => p.MetadataToken)
            .Select(static p => new Member(p.Name, p.PropertyType, p.GetValue))];
    }

    private sealed record Member(string Name, Type Type, Func<object, object?> Get);

    private sealed class RowMappingException(string message, Exception? inner = null) : Exception(message, inner);
}

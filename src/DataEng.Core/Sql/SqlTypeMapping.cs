using System.Collections.ObjectModel;
using System.Data.Common;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>How a value is read from a <see cref="DbDataReader"/> column: which typed getter is called.</summary>
internal enum SqlValueKind
{
    Other,
    Boolean,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    String,
    Char,
    Bytes,
    DateTime,
    DateTimeOffset,
    DateOnly,
    TimeOnly,
    TimeSpan,
    Guid,
}

/// <summary>
/// Maps ADO.NET result columns to Arrow fields: the CLR field type decides, refined by the provider's type name where
/// the CLR type is ambiguous (SQLite reports storage classes: a column declared <c>DATE</c>, <c>DECIMAL</c>,
/// <c>BOOLEAN</c> or <c>GUID</c> is read as such).
/// </summary>
internal static class SqlTypeMapping
{
    /// <summary>The precision of decimal columns whose provider reports none.</summary>
    public const int DefaultDecimalPrecision = 38;

    /// <summary>The scale of decimal columns whose provider reports neither precision nor scale.</summary>
    public const int DefaultDecimalScale = 18;

    private static readonly ReadOnlyDictionary<Type, SqlValueKind> Kinds = new(new Dictionary<Type, SqlValueKind>
    {
        [typeof(bool)] = SqlValueKind.Boolean,
        [typeof(byte)] = SqlValueKind.Byte,
        [typeof(sbyte)] = SqlValueKind.SByte,
        [typeof(short)] = SqlValueKind.Int16,
        [typeof(ushort)] = SqlValueKind.UInt16,
        [typeof(int)] = SqlValueKind.Int32,
        [typeof(uint)] = SqlValueKind.UInt32,
        [typeof(long)] = SqlValueKind.Int64,
        [typeof(ulong)] = SqlValueKind.UInt64,
        [typeof(float)] = SqlValueKind.Single,
        [typeof(double)] = SqlValueKind.Double,
        [typeof(decimal)] = SqlValueKind.Decimal,
        [typeof(string)] = SqlValueKind.String,
        [typeof(char)] = SqlValueKind.Char,
        [typeof(byte[])] = SqlValueKind.Bytes,
        [typeof(DateTime)] = SqlValueKind.DateTime,
        [typeof(DateTimeOffset)] = SqlValueKind.DateTimeOffset,
        [typeof(DateOnly)] = SqlValueKind.DateOnly,
        [typeof(TimeOnly)] = SqlValueKind.TimeOnly,
        [typeof(TimeSpan)] = SqlValueKind.TimeSpan,
        [typeof(Guid)] = SqlValueKind.Guid,
    });

    /// <summary>Returns the getter kind for a CLR field type.</summary>
    /// <param name="type">The CLR type, or <see langword="null"/>.</param>
    /// <returns>The kind; <see cref="SqlValueKind.Other"/> for types read through <c>GetValue</c>.</returns>
    public static SqlValueKind KindOf(Type? type)
        => type is not null && Kinds.TryGetValue(type, out var kind) ? kind : SqlValueKind.Other;

    /// <summary>Returns whether the reader belongs to a dynamically typed provider (SQLite), whose values may differ in
    /// type from row to row: each value's type is then checked before it is read.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns><see langword="true"/> for SQLite readers.</returns>
    public static bool IsDynamicallyTyped(DbDataReader reader)
        => reader.GetType().FullName?.Contains("sqlite", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Derives the Arrow schema of a reader's result.</summary>
    /// <param name="reader">The reader (open; it may be a <c>SchemaOnly</c> reader).</param>
    /// <param name="sourceName">The source name, for messages.</param>
    /// <param name="columnTypes">Types that replace the derived type of the named columns, or <see langword="null"/>.</param>
    /// <param name="connection">The reader's connection, or <see langword="null"/>: with SQLite it is asked whether an
    /// <c>INTEGER PRIMARY KEY</c> column is the table's rowid, which is never null although the column is not declared
    /// <c>NOT NULL</c>.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="SchemaMismatchException">Duplicate column names, or an override names a missing column.</exception>
    public static Schema DeriveSchema(DbDataReader reader, string sourceName, IReadOnlyDictionary<string, IArrowType>? columnTypes = null, DbConnection? connection = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var columns = TryGetColumnSchema(reader);
        var builder = new Schema.Builder();
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var column = columns is not null && i < columns.Count ? columns[i] : null;
            var name = reader.GetName(i);
            if (string.IsNullOrEmpty(name))
            {
                name = $"column{i + 1}";
            }

            if (!seen.Add(name))
            {
                problems.Add($"column {i + 1} is named '{name}' like an earlier column; give the columns distinct aliases in the query");
            }

            var clrType = SafeFieldType(reader, i) ?? column?.DataType;
            var typeName = SafeTypeName(reader, i) ?? column?.DataTypeName;
            IArrowType type;
            if (columnTypes is not null && (columnTypes.TryGetValue(name, out var given) || TryGetIgnoreCase(columnTypes, name, out given)))
            {
                type = given;
                used.Add(name);
            }
            else
            {
                type = MapType(clrType, typeName, column?.NumericPrecision, column?.NumericScale);
            }

            var nullable = column?.AllowDBNull ?? true;
            if (nullable && connection is not null && column is { IsKey: true } && IsDynamicallyTyped(reader) && string.Equals(typeName, "INTEGER", StringComparison.OrdinalIgnoreCase))
            {
                nullable = !IsSqliteRowid(connection, column);
            }

            builder.Field(f => f.Name(name).DataType(type).Nullable(nullable));
        }

        if (columnTypes is not null)
        {
            foreach (var key in columnTypes.Keys)
            {
                if (!used.Contains(key) && !seen.Contains(key))
                {
                    problems.Add($"a column type is given for '{key}', but the query has no such column");
                }
            }
        }

        var schema = builder.Build();
        problems.AddRange(ArrowValueWriters.Unsupported(schema));
        SchemaMismatchException.ThrowIfAny($"SQL source '{sourceName}' cannot map its result to Arrow.", problems);
        return schema;
    }

    /// <summary>Maps a column to an Arrow type.</summary>
    /// <param name="clrType">The CLR field type.</param>
    /// <param name="typeName">The provider type name (declared type for SQLite).</param>
    /// <param name="precision">The numeric precision, when known.</param>
    /// <param name="scale">The numeric scale, when known.</param>
    /// <returns>The Arrow type.</returns>
    public static IArrowType MapType(Type? clrType, string? typeName, int? precision, int? scale)
    {
        var kind = KindOf(clrType);
        var name = NormalizeTypeName(typeName);
        var ambiguous = kind is SqlValueKind.String or SqlValueKind.Int64 or SqlValueKind.Int32 or SqlValueKind.Double or SqlValueKind.Other;
        switch (name)
        {
            case "BOOL" or "BOOLEAN" or "BIT" when ambiguous || kind is SqlValueKind.Int16 or SqlValueKind.Byte:
                return BooleanType.Default;
            case "DATE" when ambiguous || kind is SqlValueKind.DateTime:
                return Date32Type.Default;
            case "DATETIMEOFFSET" or "TIMESTAMPTZ" or "TIMESTAMP WITH TIME ZONE" when ambiguous || kind is SqlValueKind.DateTime or SqlValueKind.DateTimeOffset:
                return new TimestampType(TimeUnit.Microsecond, "UTC");
            case "DATETIME" or "DATETIME2" or "SMALLDATETIME" or "TIMESTAMP" or "TIMESTAMP WITHOUT TIME ZONE" when ambiguous:
                return new TimestampType(TimeUnit.Microsecond, (string?)null);
            case "TIME" or "TIME WITHOUT TIME ZONE" when ambiguous || kind is SqlValueKind.TimeSpan:
                return new Time64Type(TimeUnit.Microsecond);
            case "DECIMAL" or "NUMERIC" or "MONEY" or "SMALLMONEY" when ambiguous || kind is SqlValueKind.Decimal:
                return DecimalType(precision, scale);
            case "GUID" or "UUID" or "UNIQUEIDENTIFIER" when ambiguous || kind is SqlValueKind.Guid or SqlValueKind.Bytes:
                return StringType.Default;
        }

        return kind switch
        {
            SqlValueKind.Boolean => BooleanType.Default,
            SqlValueKind.Byte => UInt8Type.Default,
            SqlValueKind.SByte => Int8Type.Default,
            SqlValueKind.Int16 => Int16Type.Default,
            SqlValueKind.UInt16 => UInt16Type.Default,
            SqlValueKind.Int32 => Int32Type.Default,
            SqlValueKind.UInt32 => UInt32Type.Default,
            SqlValueKind.Int64 => Int64Type.Default,
            SqlValueKind.UInt64 => UInt64Type.Default,
            SqlValueKind.Single => FloatType.Default,
            SqlValueKind.Double => DoubleType.Default,
            SqlValueKind.Decimal => DecimalType(precision, scale),
            SqlValueKind.Bytes => BinaryType.Default,
            SqlValueKind.DateTime => new TimestampType(TimeUnit.Microsecond, (string?)null),
            SqlValueKind.DateTimeOffset => new TimestampType(TimeUnit.Microsecond, "UTC"),
            SqlValueKind.DateOnly => Date32Type.Default,
            SqlValueKind.TimeOnly => new Time64Type(TimeUnit.Microsecond),
            SqlValueKind.TimeSpan => DurationType.Microsecond,
            _ => StringType.Default, // string, char, Guid, and unknown types (read through GetValue as invariant text)
        };
    }

    /// <summary>Returns whether a column holds GUIDs (CLR <see cref="Guid"/> or a GUID/UUID type name).</summary>
    /// <param name="clrType">The CLR field type.</param>
    /// <param name="typeName">The provider type name.</param>
    /// <returns><see langword="true"/> for GUID columns.</returns>
    public static bool IsGuid(Type? clrType, string? typeName)
        => clrType == typeof(Guid) || NormalizeTypeName(typeName) is "GUID" or "UUID" or "UNIQUEIDENTIFIER";

    /// <summary>Returns the provider type name without parameters, upper case (<c>decimal(10, 2)</c> → <c>DECIMAL</c>).</summary>
    /// <param name="typeName">The type name.</param>
    /// <returns>The normalized name, or an empty string.</returns>
    public static string NormalizeTypeName(string? typeName)
    {
        if (string.IsNullOrWhiteSpace(typeName))
        {
            return string.Empty;
        }

        var span = typeName.AsSpan();
        var paren = span.IndexOf('(');
        if (paren >= 0)
        {
            var close = span.IndexOf(')');
            var rest = close > paren ? span[(close + 1)..] : [];
            return string.Concat(span[..paren].Trim(), rest.IsWhiteSpace() ? "" : " ", rest.Trim()).Trim().ToUpperInvariant();
        }

        return span.Trim().ToString().ToUpperInvariant();
    }

    /// <summary>
    /// Returns whether a SQLite column is its table's rowid alias: the table's only primary-key column, declared
    /// <c>INTEGER</c>, with no index behind the key (<c>INTEGER PRIMARY KEY DESC</c> and the keys of
    /// <c>WITHOUT ROWID</c> tables get one). Its value is the row's rowid, so it is never null; SQLite's column
    /// metadata reports it as nullable because it is not declared <c>NOT NULL</c>.
    /// </summary>
    /// <param name="connection">The open SQLite connection.</param>
    /// <param name="column">The column, with its base table and column names.</param>
    /// <returns><see langword="true"/> for a rowid alias.</returns>
    private static bool IsSqliteRowid(DbConnection connection, DbColumn column)
    {
        if (string.IsNullOrEmpty(column.BaseTableName) || string.IsNullOrEmpty(column.BaseColumnName))
        {
            return false;
        }

        try
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT (SELECT COUNT(*) FROM pragma_table_info(@table, @schema) WHERE pk > 0) = 1 " +
                "AND EXISTS (SELECT 1 FROM pragma_table_info(@table, @schema) WHERE pk > 0 AND name = @column COLLATE NOCASE AND upper(type) = 'INTEGER') " +
                "AND NOT EXISTS (SELECT 1 FROM pragma_index_list(@table, @schema) WHERE origin = 'pk')";
            SqlText.AddParameter(command, "@table", column.BaseTableName);
            SqlText.AddParameter(command, "@schema", string.IsNullOrEmpty(column.BaseSchemaName) ? "main" : column.BaseSchemaName);
            SqlText.AddParameter(command, "@column", column.BaseColumnName);
            return command.ExecuteScalar() is long and 1;
        }
        catch (DbException)
        {
            // An older SQLite without table-valued pragmas: keep what the metadata says.
            return false;
        }
    }

    /// <summary>Returns the reader's column schema, or <see langword="null"/> when the provider cannot describe it.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The columns.</returns>
    internal static ReadOnlyCollection<DbColumn>? TryGetColumnSchema(DbDataReader reader)
    {
        try
        {
            return reader.GetColumnSchema();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or NotImplementedException)
        {
            return null;
        }
    }

    internal static Type? SafeFieldType(DbDataReader reader, int ordinal)
    {
        try
        {
            return reader.GetFieldType(ordinal);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    internal static string? SafeTypeName(DbDataReader reader, int ordinal)
    {
        try
        {
            return reader.GetDataTypeName(ordinal);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static Decimal128Type DecimalType(int? precision, int? scale)
    {
        // Providers report 0 or 255 (or nothing) when the column has no declared precision.
        if (precision is null or <= 0 or > 38)
        {
            return new Decimal128Type(DefaultDecimalPrecision, scale is >= 0 and <= 38 && precision is > 38 ? scale.Value : DefaultDecimalScale);
        }

        var s = scale is >= 0 ? Math.Min(scale.Value, precision.Value) : 0;
        return new Decimal128Type(precision.Value, s);
    }

    private static bool TryGetIgnoreCase(IReadOnlyDictionary<string, IArrowType> types, string name, out IArrowType type)
    {
        foreach (var (key, value) in types)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                type = value;
                return true;
            }
        }

        type = null!;
        return false;
    }
}

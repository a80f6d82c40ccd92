using Apache.Arrow.Types;

namespace DataEng.Core.Tests.TypedRows;

public enum Color
{
    Red,
    Green,
    Blue,
}

[Flags]
public enum Access : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Execute = 4,
}

/// <summary>A positional record with every supported type, nullable and not.</summary>
public sealed record Everything(
    bool Bool,
    bool? MaybeBool,
    sbyte Int8,
    byte UInt8,
    short Int16,
    ushort UInt16,
    int Int32,
    uint UInt32,
    long Int64,
    ulong UInt64,
    int? MaybeInt32,
    ulong? MaybeUInt64,
    float Single,
    double Double,
    float? MaybeSingle,
    double? MaybeDouble,
    decimal Decimal,
    decimal? MaybeDecimal,
    string Text,
    string? MaybeText,
    byte[] Bytes,
    byte[]? MaybeBytes,
    char Char,
    char? MaybeChar,
    Guid Guid,
    Guid? MaybeGuid,
    Color Color,
    Color? MaybeColor,
    Access Access,
    DateTime DateTime,
    DateTime? MaybeDateTime,
    DateTimeOffset DateTimeOffset,
    DateTimeOffset? MaybeDateTimeOffset,
    DateOnly DateOnly,
    DateOnly? MaybeDateOnly,
    TimeOnly TimeOnly,
    TimeOnly? MaybeTimeOnly)
{
    public static Everything Sample(int i) => new(
        Bool: i % 2 == 0,
        MaybeBool: true,
        Int8: sbyte.MinValue,
        UInt8: byte.MaxValue,
        Int16: short.MinValue,
        UInt16: ushort.MaxValue,
        Int32: int.MinValue + i,
        UInt32: uint.MaxValue,
        Int64: long.MinValue,
        UInt64: ulong.MaxValue,
        MaybeInt32: i,
        MaybeUInt64: ulong.MaxValue - (ulong)i,
        Single: float.MaxValue,
        Double: -1.5e300,
        MaybeSingle: float.Epsilon,
        MaybeDouble: double.NaN,
        Decimal: 99_999_999_999_999_999_999.99999999m,
        MaybeDecimal: -0.000000000000000001m,
        Text: "héllo wörld 你好 🎉 " + i,
        MaybeText: "",
        Bytes: [0, 1, 2, 255, (byte)i],
        MaybeBytes: [],
        Char: 'é',
        MaybeChar: '你',
        Guid: new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
        MaybeGuid: Guid.Empty,
        Color: Color.Blue,
        MaybeColor: Color.Green,
        Access: Access.Read | Access.Write,
        DateTime: new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234560),
        MaybeDateTime: new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
        DateTimeOffset: new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.FromHours(5)).AddTicks(10),
        MaybeDateTimeOffset: new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9999990),
        DateOnly: new DateOnly(1969, 12, 31),
        MaybeDateOnly: DateOnly.MaxValue,
        TimeOnly: new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9999990)),
        MaybeTimeOnly: TimeOnly.MinValue);

    public static Everything Nulls(int i) => Sample(i) with
    {
        MaybeBool = null,
        MaybeInt32 = null,
        MaybeUInt64 = null,
        MaybeSingle = null,
        MaybeDouble = null,
        MaybeDecimal = null,
        MaybeText = null,
        MaybeBytes = null,
        MaybeChar = null,
        MaybeGuid = null,
        MaybeColor = null,
        MaybeDateTime = null,
        MaybeDateTimeOffset = null,
        MaybeDateOnly = null,
        MaybeTimeOnly = null,
    };

    /// <summary>Records compare arrays by reference; this compares their contents.</summary>
    public static void AssertEqual(Everything expected, Everything actual)
    {
        Assert.Equal(expected.Bytes, actual.Bytes);
        Assert.Equal(expected.MaybeBytes, actual.MaybeBytes);
        Assert.Equal(expected with { Bytes = [], MaybeBytes = null }, actual with { Bytes = [], MaybeBytes = null });
    }
}

public sealed record Order(long Id, string Customer, decimal Amount, DateTimeOffset PlacedAt, string? Note);

public sealed record OrderAmount(long Id, decimal Amount);

public sealed record OrderLine(long OrderId, int Line, string Sku);

public sealed class MutableOrder
{
    public long Id { get; set; }

    public string? Customer { get; set; }

    public decimal Amount { get; set; }
}

public sealed class InitOnlyOrder
{
    public long Id { get; init; }

    public required string Customer { get; init; }

    public int? Quantity { get; init; }
}

/// <summary>Positional parameters plus a settable property and a computed one.</summary>
public sealed record Mixed(long Id, string Name)
{
    public int Extra { get; set; }

    public string Upper => Name.ToUpperInvariant();
}

public sealed record Attributed(
    [ArrowColumn("order_id", Order = -1)] long Id,
    [ArrowColumn(Precision = 10, Scale = 2)] decimal Price,
    [ArrowColumn(TimestampUnit = TimeUnit.Millisecond, TimeZone = "Europe/Paris")] DateTimeOffset At,
    [ArrowIgnore] string? Secret = null)
{
    [ArrowColumn(TimestampUnit = TimeUnit.Nanosecond)]
    public TimeOnly? Time { get; init; }
}

public sealed class NamedOnProperties
{
    [ArrowColumn("ID", Order = 2)]
    public int Id { get; set; }

    [ArrowColumn(Order = 1)]
    public string? CustomerName { get; set; }

    public DateOnly OrderDate { get; set; }

    [ArrowIgnore]
    public object? Anything { get; set; }
}

public record struct Point(int X, int Y);

public class BaseRow
{
    public long Id { get; set; }
}

public sealed class DerivedRow : BaseRow
{
    public string? Name { get; set; }
}

public sealed class WithUnsupported
{
    public int Id { get; set; }

    public List<int>? Values { get; set; }

    public TimeSpan Elapsed { get; set; }
}

public sealed class WithDefaultParameter(long id, int retries = 3)
{
    public long Id { get; } = id;

    [ArrowIgnore]
    public int Retries { get; } = retries;
}

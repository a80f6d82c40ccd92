using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Picks the encoder (CLR → Arrow) and decoder (Arrow → CLR) of a property. Runs once per mapper or per bound
/// schema: the generic codec types are closed over the property and storage types here, so the per-value code is
/// specialised by the JIT and never boxes.
/// </summary>
internal static class ColumnCodecs
{
    /// <summary>Creates the <c>ColumnEncoder&lt;TProp&gt;</c> of a member.</summary>
    public static object CreateEncoder(RowMember member)
    {
        var value = member.ValueType;
        switch (member.Kind)
        {
            case RowValueKind.Boolean:
                return Fixed(typeof(BooleanEncoder<,>), member, typeof(bool), Create(typeof(Same<>), [typeof(bool)]));
            case RowValueKind.Decimal:
                return Fixed(typeof(FixedEncoder<,,>), member, typeof(Int128), new DecimalToDecimal128(member.Precision, member.Scale, member.RoundDecimals));
            case RowValueKind.DateTime:
                return Fixed(typeof(FixedEncoder<,,>), member, typeof(long), new DateTimeToUnits(ArrowTime.TicksPerUnit(member.Unit), member.Unit, member.LocalDateTimes == LocalDateTimeHandling.ConvertToUtc));
            case RowValueKind.DateTimeOffset:
                return Fixed(typeof(FixedEncoder<,,>), member, typeof(long), new DateTimeOffsetToUnits(ArrowTime.TicksPerUnit(member.Unit), member.Unit));
            case RowValueKind.DateOnly:
                return Fixed(typeof(FixedEncoder<,,>), member, typeof(int), new DateOnlyToDays());
            case RowValueKind.TimeOnly:
                return Fixed(typeof(FixedEncoder<,,>), member, typeof(long), new TimeOnlyToUnits(member.Unit == TimeUnit.Nanosecond));
            case RowValueKind.Guid when member.GuidMapping == GuidMapping.FixedSizeBinary:
                return Fixed(typeof(FixedEncoder<,,>), member, typeof(Bytes16), new GuidToBytes());
            case RowValueKind.Guid:
                return Bytes(member, new GuidToText());
            case RowValueKind.Enum when member.EnumMapping == EnumMapping.Integer:
                var underlying = Enum.GetUnderlyingType(value);
                return Fixed(typeof(FixedEncoder<,,>), member, underlying, Create(typeof(EnumToInteger<,>), [value, underlying]));
            case RowValueKind.Enum:
                return Bytes(member, Create(typeof(EnumToName<>), [value]));
            case RowValueKind.Char:
                return Bytes(member, new CharToUtf8());
            case RowValueKind.String:
                return Bytes(member, new StringToUtf8());
            case RowValueKind.Binary:
                return Bytes(member, new BytesCopy());
            default:
                return Fixed(typeof(FixedEncoder<,,>), member, value, Create(typeof(Same<>), [value]));
        }
    }

    /// <summary>Creates the decoder reading <paramref name="field"/> into <paramref name="member"/>, or returns why it cannot.</summary>
    public static ColumnDecoder? CreateDecoder(RowMember member, Field field, out string? problem)
    {
        problem = null;
        var type = field.DataType;
        var value = member.ValueType;
        var storage = ArrowTypes.NumericStorage(type.TypeId);
        object? converter = null;
        Type? store = null;
        var bytes = false;
        var width = 0;
        switch (member.Kind)
        {
            case RowValueKind.SByte or RowValueKind.Byte or RowValueKind.Int16 or RowValueKind.UInt16 or RowValueKind.Int32 or RowValueKind.UInt32
                or RowValueKind.Int64 or RowValueKind.UInt64 or RowValueKind.Single or RowValueKind.Double:
            case RowValueKind.Decimal when storage is not null:
                if (storage is not null && ArrowTypes.WidensTo(storage, value))
                {
                    (store, converter) = (storage, Create(typeof(Widen<,>), [storage, value]));
                }

                break;
            case RowValueKind.Decimal when type is Decimal128Type decimalType:
                (store, converter) = (typeof(Int128), new Decimal128ToDecimal(decimalType.Scale, member.RoundDecimals));
                break;
            case RowValueKind.Boolean when type.TypeId == ArrowTypeId.Boolean:
                return Decoder(typeof(BooleanDecoder<,>), member, field, typeof(bool), Create(typeof(Identity<>), [typeof(bool)]), bytes: false, width: 0);
            case RowValueKind.String when type.TypeId == ArrowTypeId.String:
                (converter, bytes) = (new Utf8ToString(), true);
                break;
            case RowValueKind.Binary when type.TypeId == ArrowTypeId.Binary:
                (converter, bytes) = (new BytesToArray(), true);
                break;
            case RowValueKind.Binary when type is FixedSizeBinaryType fixedType:
                (converter, bytes, width) = (new BytesToArray(), true, fixedType.ByteWidth);
                break;
            case RowValueKind.Char when type.TypeId == ArrowTypeId.String:
                (converter, bytes) = (new Utf8ToChar(), true);
                break;
            case RowValueKind.Guid when type.TypeId == ArrowTypeId.String:
                (converter, bytes) = (new Utf8ToGuid(), true);
                break;
            case RowValueKind.Guid when type is FixedSizeBinaryType { ByteWidth: 16 }:
                (converter, bytes, width) = (new BytesToGuid(), true, 16);
                break;
            case RowValueKind.Enum when type.TypeId == ArrowTypeId.String:
                (converter, bytes) = (Create(typeof(Utf8ToEnum<>), [value]), true);
                break;
            case RowValueKind.Enum when storage is not null && ArrowTypes.WidensTo(storage, Enum.GetUnderlyingType(value)) && storage != typeof(float) && storage != typeof(double):
                (store, converter) = (storage, Create(typeof(IntegerToEnum<,,>), [storage, value, Enum.GetUnderlyingType(value)]));
                break;
            case RowValueKind.DateTime when type is TimestampType timestamp:
                (store, converter) = (typeof(long), new UnitsToDateTime(ArrowTime.TicksPerUnit(timestamp.Unit), string.IsNullOrEmpty(timestamp.Timezone) ? DateTimeKind.Unspecified : DateTimeKind.Utc));
                break;
            case RowValueKind.DateTime when type.TypeId == ArrowTypeId.Date32:
                (store, converter) = (typeof(int), new DaysToDateTime());
                break;
            case RowValueKind.DateTime when type.TypeId == ArrowTypeId.Date64:
                (store, converter) = (typeof(long), new MillisecondsToDateTime());
                break;
            case RowValueKind.DateTimeOffset when type is TimestampType timestamp:
                (store, converter) = (typeof(long), new UnitsToDateTimeOffset(ArrowTime.TicksPerUnit(timestamp.Unit)));
                break;
            case RowValueKind.DateOnly when type.TypeId == ArrowTypeId.Date32:
                (store, converter) = (typeof(int), new DaysToDateOnly());
                break;
            case RowValueKind.DateOnly when type.TypeId == ArrowTypeId.Date64:
                (store, converter) = (typeof(long), new MillisecondsToDateOnly());
                break;
            case RowValueKind.TimeOnly when type is Time32Type time32:
                (store, converter) = (typeof(int), new Time32ToTimeOnly(ArrowTime.TicksPerUnit(time32.Unit)));
                break;
            case RowValueKind.TimeOnly when type is Time64Type time64:
                (store, converter) = (typeof(long), new Time64ToTimeOnly(time64.Unit == TimeUnit.Nanosecond));
                break;
            default:
                break;
        }

        if (converter is null)
        {
            problem = $"column '{field.Name}' is {SchemaText.Describe(type)}, which cannot be read into property '{member.Display}' ({member.TypeDisplay})" +
                (storage is not null && (member.Kind <= RowValueKind.Double || member.Kind == RowValueKind.Decimal) ? " without losing values; widen the property type" : $"; expected {SchemaText.Describe(member.ArrowType)}");
            return null;
        }

        return bytes
            ? Decoder(width > 0 ? typeof(FixedBytesDecoder<,>) : typeof(BytesDecoder<,>), member, field, null, converter, bytes: true, width)
            : Decoder(typeof(FixedDecoder<,,>), member, field, store!, converter, bytes: false, width: 0);
    }

    private static object Fixed(Type encoderDefinition, RowMember member, Type store, object converter)
    {
        if (member.IsNullableValueType)
        {
            converter = Create(typeof(Lifted<,,>), [member.ValueType, store, converter.GetType()], converter);
        }

        var arguments = encoderDefinition.GetGenericArguments().Length == 3
            ? new[] { member.Type, store, converter.GetType() }
            : [member.Type, converter.GetType()];
        return Create(encoderDefinition, arguments, member, converter);
    }

    private static object Bytes(RowMember member, object converter)
    {
        if (member.IsNullableValueType)
        {
            converter = Create(typeof(LiftedBytes<,>), [member.ValueType, converter.GetType()], converter);
        }

        return Create(typeof(VariableEncoder<,>), [member.Type, converter.GetType()], member, converter);
    }

    private static ColumnDecoder Decoder(Type definition, RowMember member, Field field, Type? store, object converter, bool bytes, int width)
    {
        if (member.IsNullableValueType)
        {
            converter = bytes
                ? Create(typeof(LiftedFromBytes<,>), [member.ValueType, converter.GetType()], converter)
                : Create(typeof(LiftedFrom<,,>), [store!, member.ValueType, converter.GetType()], converter);
        }

        if (definition == typeof(FixedDecoder<,,>))
        {
            return (ColumnDecoder)Create(definition, [store!, member.Type, converter.GetType()], member, field.Name, converter);
        }

        return width > 0
            ? (ColumnDecoder)Create(definition, [member.Type, converter.GetType()], member, field.Name, width, converter)
            : (ColumnDecoder)Create(definition, [member.Type, converter.GetType()], member, field.Name, converter);
    }

    private static object Create(Type definition, Type[] arguments, params object[] constructorArguments)
        => Activator.CreateInstance(definition.MakeGenericType(arguments), constructorArguments)!;
}

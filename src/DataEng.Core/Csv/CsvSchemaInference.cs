using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core;

/// <summary>
/// Infers a CSV schema from the first rows of an input. For each column, the first type in this order that every
/// non-null sampled value parses as: bool (<c>true</c>/<c>false</c>, any case), int64, decimal128(38, s) (only with
/// <see cref="CsvSourceOptions.InferDecimals"/>; plain numbers without exponent, s = the largest scale seen), double,
/// date32 (ISO <c>yyyy-MM-dd</c> or <see cref="CsvSourceOptions.DateFormat"/>), timestamp[us] (ISO; with
/// <c>Z</c>/offsets on every value: timestamp[us, UTC]; a mix of both stays text), otherwise utf8. A column is
/// nullable when a null value was seen or it had no value at all.
/// </summary>
internal static class CsvSchemaInference
{
    /// <summary>Infers the schema of an input.</summary>
    /// <param name="input">The input.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="DataFormatException">The input is empty, has duplicate column names or a malformed record.</exception>
    public static Schema Infer(CsvInput input, CsvReadSettings settings)
    {
        using var records = CsvRecordReader.Open(input, settings);
        if (records.IsEmpty || records.FieldCount == 0)
        {
            throw new DataFormatException(input.DisplayName, null, null, "the input is empty, so no schema can be inferred; give CsvSourceOptions.Schema");
        }

        var names = records.Header.Select(static (h, i) => string.IsNullOrEmpty(h) ? $"column{i + 1}" : h).ToArray();
        var duplicate = names.GroupBy(static n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(static g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new DataFormatException(input.DisplayName, 1, duplicate.Key, "the header names this column more than once; give CsvSourceOptions.Schema or rename the columns");
        }

        var guesses = new Guess[names.Length];
        for (var i = 0; i < guesses.Length; i++)
        {
            guesses[i] = new Guess();
        }

        var options = settings.Options;
        var rows = 0;
        var skipsBadRows = options.BadRows is { Action: BadRowAction.Skip or BadRowAction.DeadLetter };
        while (rows < options.InferenceRows && records.Read())
        {
            if (records.FieldCountError() is { } error)
            {
                // The read applies the bad-row policy to this record; the sample only leaves it out.
                if (skipsBadRows)
                {
                    continue;
                }

                throw error;
            }

            rows++;
            for (var i = 0; i < guesses.Length; i++)
            {
                var field = records.Field(i);
                if (options.TrimWhitespace)
                {
                    field = field.Trim();
                }

                if (settings.IsNull(field))
                {
                    guesses[i].Nulls = true;
                }
                else
                {
                    guesses[i].Observe(field, settings);
                }
            }
        }

        var builder = new Schema.Builder();
        for (var i = 0; i < names.Length; i++)
        {
            var guess = guesses[i];
            builder.Field(f => f.Name(names[i]).DataType(guess.Type(options.InferDecimals)).Nullable(guess.Nulls || !guess.Any));
        }

        return builder.Build();
    }

    private sealed class Guess
    {
        private bool _bool = true;
        private bool _int = true;
        private bool _decimal = true;
        private bool _double = true;
        private bool _date = true;
        private bool _timestamp = true;
        private bool _withOffset;
        private bool _withoutOffset;
        private int _integerDigits;
        private int _scale;

        public bool Nulls { get; set; }

        public bool Any { get; private set; }

        public void Observe(ReadOnlySpan<char> value, CsvReadSettings settings)
        {
            Any = true;
            var culture = settings.Options.Culture;
            _bool = _bool && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase));
            _int = _int && long.TryParse(value, NumberStyles.Integer, culture, out _);
            _double = _double && double.TryParse(value, NumberStyles.Float, culture, out _);
            if (_decimal && settings.Options.InferDecimals)
            {
                if (TextValueParser.TryMeasureDecimal(value, settings.Text.DecimalSeparator, out var integerDigits, out var scale)
                    && Math.Max(_integerDigits, integerDigits) + Math.Max(_scale, scale) <= 38)
                {
                    _integerDigits = Math.Max(_integerDigits, integerDigits);
                    _scale = Math.Max(_scale, scale);
                }
                else
                {
                    _decimal = false;
                }
            }

            if (_date)
            {
                _date = settings.Options.DateFormat is null
                    ? TextValueParser.TryParseIsoDate(value, out _)
                    : DateOnly.TryParseExact(value, settings.Options.DateFormat, culture, DateTimeStyles.None, out _);
            }

            if (_timestamp)
            {
                if (settings.Options.TimestampFormat is null)
                {
                    _timestamp = TextValueParser.TryParseIsoTimestamp(value, out _, out _, out var hasOffset);
                    _withOffset |= _timestamp && hasOffset;
                    _withoutOffset |= _timestamp && !hasOffset;
                }
                else
                {
                    _timestamp = DateTimeOffset.TryParseExact(value, settings.Options.TimestampFormat, culture, DateTimeStyles.AssumeUniversal, out _);
                    _withoutOffset = true;
                }
            }
        }

        public IArrowType Type(bool inferDecimals)
        {
            if (!Any)
            {
                return StringType.Default;
            }

            if (_bool)
            {
                return BooleanType.Default;
            }

            if (_int)
            {
                return Int64Type.Default;
            }

            if (inferDecimals && _decimal)
            {
                return new Decimal128Type(38, _scale);
            }

            if (_double)
            {
                return DoubleType.Default;
            }

            if (_date)
            {
                return Date32Type.Default;
            }

            if (_timestamp && !(_withOffset && _withoutOffset))
            {
                return new TimestampType(TimeUnit.Microsecond, _withOffset ? "UTC" : null);
            }

            return StringType.Default;
        }
    }
}

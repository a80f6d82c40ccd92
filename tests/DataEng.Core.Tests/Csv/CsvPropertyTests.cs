using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using static DataEng.Core.Tests.Csv.CsvTestFiles;

namespace DataEng.Core.Tests.Csv;

/// <summary>Property tests of <see cref="DataEng.Core.Csv"/>: what an RFC 4180 writer produces reads back equal.</summary>
public class CsvPropertyTests
{
    private static readonly Gen<string> Cell = Gen.OneOf(
            "a", "Z", " ", "  x ", "\"", "\"\"", ",", ";", "\t", "|", "\n", "\r\n", "\r", "é", "日本", "🦆", "0", "-1.5", "NULL", "#", "'")
        .Array[0, 6]
        .Select(static parts => string.Concat(parts));

    private static readonly Gen<Table> Tables =
        from columns in Gen.Int[1, 5]
        from rows in Cell.Array[columns].Array[0, 25]
        from header in Gen.Bool
        from delimiter in Gen.OneOf(',', ';', '\t', '|')
        from newLine in Gen.OneOf("\n", "\r\n", "\r")
        from quoteAll in Gen.Bool
        from batchSize in Gen.Int[1, 8]
        select new Table(columns, rows, header, delimiter, newLine, quoteAll, batchSize);

    [Fact]
    public void Stream_RandomTablesWrittenAsRfc4180_ReadBackEqual()
    {
        Tables.Sample(table =>
        {
            var text = table.Write(out _);
            var source = DataEng.Core.Csv.Stream(() => new MemoryStream(Encoding.UTF8.GetBytes(text)), "random.csv", table.Options());

            var rows = ReadRowsAsync(source).GetAwaiter().GetResult();

            Assert.Equal(table.Rows.Length, rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                Assert.Equal(table.Rows[r], rows[r]);
            }
        }, iter: 300);
    }

    [Fact]
    public void Stream_RandomTablesWithABadRecordAtTheEnd_ReportItsPhysicalLine()
    {
        Tables.Sample(table =>
        {
            var text = table.Write(out var lines) + string.Join(table.Delimiter, Enumerable.Repeat("x", table.Columns + 1)) + table.NewLine;
            var source = DataEng.Core.Csv.Stream(() => new MemoryStream(Encoding.UTF8.GetBytes(text)), "random.csv", table.Options());

            var error = Assert.Throws<DataFormatException>(() => ReadRowsAsync(source).GetAwaiter().GetResult());

            Assert.Equal(lines + 1, error.Row);
        }, iter: 200);
    }

    private sealed record Table(int Columns, string[][] Rows, bool Header, char Delimiter, string NewLine, bool QuoteAll, int BatchSize)
    {
        public CsvSourceOptions Options()
        {
            var schema = new Schema.Builder();
            for (var c = 0; c < Columns; c++)
            {
                schema.Field(f => f.Name($"c{c}").DataType(StringType.Default).Nullable(false));
            }

            return new CsvSourceOptions { Schema = schema.Build(), HasHeader = Header, Delimiter = Delimiter, NullValues = [], BatchSize = BatchSize };
        }

        /// <summary>Writes RFC 4180 CSV: fields holding the delimiter, a quote or a line break (and empty fields) are quoted,
        /// quotes doubled. Returns the number of physical lines written.</summary>
        public string Write(out int lines)
        {
            var builder = new StringBuilder();
            if (Header)
            {
                builder.AppendJoin(Delimiter, Enumerable.Range(0, Columns).Select(c => $"c{c}")).Append(NewLine);
            }

            foreach (var row in Rows)
            {
                builder.AppendJoin(Delimiter, row.Select(Field)).Append(NewLine);
            }

            var text = builder.ToString();
            lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Count(static ch => ch is '\n' or '\r');
            return text;
        }

        private string Field(string value)
            => QuoteAll || value.Length == 0 || value.IndexOfAny([Delimiter, '"', '\r', '\n']) >= 0
                ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : value;
    }
}

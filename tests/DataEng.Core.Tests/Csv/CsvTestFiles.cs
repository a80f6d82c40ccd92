using System.Text;
using Apache.Arrow;
using DataEng.Core.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Csv;

/// <summary>A temporary directory for CSV files, deleted on dispose.</summary>
internal sealed class CsvTestFiles : IDisposable
{
    public CsvTestFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "dataeng-tests", "csv-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Write(string name, string content, Encoding? encoding = null)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static RunContext Context(CountingMemoryAllocator? allocator = null)
        => new("test", 1, "run-1", NullLogger.Instance, TimeProvider.System, CancellationToken.None) { Allocator = allocator ?? new CountingMemoryAllocator() };

    /// <summary>Reads a source to the end and returns its rows as invariant strings (null as <c>null</c>).</summary>
    public static async Task<List<string?[]>> ReadRowsAsync(ISource source, CountingMemoryAllocator? allocator = null)
    {
        allocator ??= new CountingMemoryAllocator();
        var rows = new List<string?[]>();
        await foreach (var batch in source.ReadAsync(Context(allocator)))
        {
            using (batch)
            {
                Assert.True(SchemaComparer.Equivalent(source.Schema, batch.Schema, compareNullability: true));
                for (var r = 0; r < batch.Length; r++)
                {
                    rows.Add([.. Enumerable.Range(0, batch.ColumnCount).Select(c => Text(batch.Column(c), r))]);
                }
            }
        }

        Assert.Equal(0, allocator.LiveAllocations);
        return rows;
    }

    public static string? Text(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            return null;
        }

        return array switch
        {
            StringArray s => s.GetString(row),
            Int64Array i => i.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DoubleArray d => d.GetValue(row)!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            BooleanArray b => b.GetValue(row)!.Value ? "true" : "false",
            Decimal128Array m => m.GetString(row),
            Date32Array d => d.GetDateOnly(row)!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            TimestampArray t => t.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new NotSupportedException(array.GetType().Name),
        };
    }
}

using System.Globalization;
using Apache.Arrow;
using CsCheck;

namespace DataEng.Core.Tests.Lake;

/// <summary>
/// Real writes of hostile partition values and column names (the 10,000-case escaping property runs on the path
/// functions in <see cref="HivePathTests"/>; here a smaller number of cases go through the file system and DuckDB).
/// </summary>
public class LakeEscapingPropertyTests
{
    private static readonly Gen<string> Text = HivePathTests.HostileText.Where(static s => !s.Any(char.IsSurrogate));

    [Fact]
    public async Task WriteAsync_Property_HostileValuesStayInsideTheRootAndRoundTrip()
    {
        var cases = Gen.Select(
                Gen.OneOf(Text.Where(static s => s.Length > 0 && s != "id"), Gen.Const("k")),
                Gen.OneOf(Text, HivePathTests.LongText, Gen.Const<string>((string)null!)).Array[1, 6],
                Gen.Bool)
            .Array[150]
            .Single(static _ => true, "0000001dduY7");
        var iteration = 0;
        foreach (var (name, values, detect) in cases)
        {
            await CheckAsync(name, values, detect, withDuckDb: iteration++ % 5 == 0);
        }
    }

    private static async Task CheckAsync(string name, string?[] values, bool detect, bool withDuckDb)
    {
        using var temp = new TempLake();
        var schema = LakeTestData.KeyValueSchema(name);
        var options = LakeTestData.Options(PartitionSpec.Identity(name));
        options.DetectCaseCollisions = detect;
        var segments = values.Distinct().Select(v => HivePath.Segment(HivePath.EscapeName(name), HivePath.EscapeValue(v))).ToList();
        var tooLong = segments.Any(s => HivePath.ByteLength(s) > HivePath.MaxSegmentBytes);
        var collides = detect && segments.GroupBy(HivePath.CollisionKey).Any(g => g.Distinct().Count() > 1);

        Exception? failure = null;
        try
        {
            await LakeTestData.WriteAsync(temp.Root, options, schema, [LakeTestData.KeyValue(schema, values, 0)]);
        }
        catch (DataEngException e)
        {
            failure = e;
        }

        Assert.Empty(temp.EntriesOutsideRoot());
        if (tooLong)
        {
            Assert.NotNull(failure);
            Assert.Contains("255", failure!.Message, StringComparison.Ordinal);
            Assert.Empty(temp.ParquetFiles());
            return;
        }

        if (collides)
        {
            Assert.NotNull(failure);
            Assert.Contains("case-insensitive", failure!.Message, StringComparison.Ordinal);
            Assert.Empty(temp.ParquetFiles());
            return;
        }

        Assert.Null(failure);
        Assert.Equal(segments.Count, Directory.EnumerateDirectories(temp.Root).Count(d => !Path.GetFileName(d).StartsWith('_')));

        var batches = await LakeTestData.ReadAllAsync(Core.Lake.Read(temp.Root));
        var read = batches
            .SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (Id: ((Int64Array)b.Column("id")).GetValue(i)!.Value, Value: ((StringArray)b.Column(name)).GetString(i))))
            .OrderBy(r => r.Id)
            .Select(r => r.Value)
            .ToList();
        batches.ForEach(b => b.Dispose());
        Assert.Equal(values, read);

        if (withDuckDb)
        {
            // DuckDB decodes partition values but not key names: it calls the column by its escaped name.
            var escapedName = HivePath.EscapeName(name);
            var quoted = "\"" + escapedName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            var duck = Duck.Query($"SELECT {quoted} FROM {Duck.Glob(temp.Root)} ORDER BY id").Select(r => (string?)r[0]).ToList();
            Assert.Equal(values, duck);
        }
    }

    [Fact]
    public async Task WriteAsync_NfcAndNfdValues_AreTwoPartitionsOrACollision()
    {
        string?[] values = ["\u00E9", "e\u0301", "A", "a"];
        using (var temp = new TempLake())
        {
            var schema = LakeTestData.KeyValueSchema();
            await LakeTestData.WriteAsync(temp.Root, LakeTestData.Options(PartitionSpec.Identity("k")), schema, [LakeTestData.KeyValue(schema, values, 0)]);
            Assert.Equal(4, (await Core.Lake.OpenAsync(temp.Root)).Latest!.Partitions.Count);
            Assert.Equal(4L, Convert.ToInt64(Duck.Scalar($"SELECT count(DISTINCT k) FROM {Duck.Glob(temp.Root)}"), CultureInfo.InvariantCulture));
        }

        using (var temp = new TempLake())
        {
            var schema = LakeTestData.KeyValueSchema();
            var options = LakeTestData.Options(PartitionSpec.Identity("k"));
            options.DetectCaseCollisions = true;
            var e = await Assert.ThrowsAsync<DataEngException>(() => LakeTestData.WriteAsync(temp.Root, options, schema, [LakeTestData.KeyValue(schema, values, 0)]));
            Assert.Contains("case-insensitive", e.Message, StringComparison.Ordinal);
        }
    }
}

using Apache.Arrow;
using DataEng.Core.Benchmarks.Data;
using DataEng.Core.Benchmarks.Peers;

namespace DataEng.Core.Benchmarks.Checks;

/// <summary>
/// <c>selftest</c>: checks the measuring instruments themselves (run by the CI dry job): the dataset is what it
/// claims and deterministic, DuckDB's Arrow scan sees exactly our batches and leaves them usable, and the output
/// verification rejects an incomplete output. Prints one line per check; exit code 1 if any fails.
/// </summary>
internal static class SelfTest
{
    public static async Task<int> RunAsync()
    {
        var failures = 0;
        foreach (var (name, check) in Checks())
        {
            string? problem;
            try
            {
                problem = await check().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }

            Console.WriteLine(problem is null ? $"  ok    {name}" : $"  FAIL  {name}: {problem}");
            failures += problem is null ? 0 : 1;
        }

        Console.WriteLine(failures == 0 ? "selftest: all checks passed" : $"selftest: {failures} check(s) failed");
        return failures == 0 ? 0 : 1;
    }

    private static IEnumerable<(string Name, Func<Task<string?>> Check)> Checks()
    {
        yield return ("dataset is deterministic (same seed, same bytes)", static () => Task.FromResult(SameBytes()));
        yield return ("a batch can be regenerated alone", static () => Task.FromResult(BatchIndependence()));
        yield return ("columns hold what the dataset promises", static () => Task.FromResult(Shape()));
        yield return ("the streaming source yields the same batches", StreamingSourceAsync);
        yield return ("DuckDB's Arrow scan reads every row and leaves our batches usable", static () => Task.FromResult(ArrowScan()));
        yield return ("verification accepts a complete output and rejects an incomplete one", static () => Task.FromResult(Verification()));
    }

    private static string? SameBytes()
    {
        using var a = StandardDataset.Generate(250_000, 100_000);
        using var b = StandardDataset.Generate(250_000, 100_000);
        using var c = StandardDataset.Generate(250_000, 100_000, seed: 7);
        if (a.LogicalBytes != b.LogicalBytes || a.Batches.Count != 3)
        {
            return $"sizes differ: {a.LogicalBytes} vs {b.LogicalBytes}, {a.Batches.Count} batches";
        }

        for (var i = 0; i < a.Batches.Count; i++)
        {
            if (Describe(a.Batches[i]) is var x && x != Describe(b.Batches[i]))
            {
                return $"batch {i} differs between two generations";
            }
        }

        return Describe(a.Batches[0]) == Describe(c.Batches[0]) ? "another seed gave the same data" : null;
    }

    private static string? BatchIndependence()
    {
        using var all = StandardDataset.Generate(300_000, 100_000);
        using var second = StandardDataset.GenerateBatch(1, 100_000, 100_000);
        return Describe(all.Batches[1]) == Describe(second) ? null : "GenerateBatch(1) differs from the second batch of Generate";
    }

    private static string? Shape()
    {
        using var data = StandardDataset.Generate(200_000, 100_000);
        long expectedId = 0;
        long nulls = 0;
        foreach (var batch in data.Batches)
        {
            var id = (Int64Array)batch.Column("id");
            var ts = (TimestampArray)batch.Column("ts");
            var dt = (Date32Array)batch.Column("dt");
            var customer = (Int32Array)batch.Column("customer_id");
            var amount = (DoubleArray)batch.Column("amount");
            var currency = (StringArray)batch.Column("currency");
            var note = (StringArray)batch.Column("note");
            var days = new HashSet<int>();
            for (var i = 0; i < batch.Length; i++)
            {
                if (id.Values[i] != expectedId++)
                {
                    return $"id {id.Values[i]} at row {expectedId - 1}";
                }

                var micros = ts.Values[i];
                if (micros < StandardDataset.StartMicros || micros >= StandardDataset.StartMicros + (StandardDataset.Days * StandardDataset.MicrosPerDay))
                {
                    return $"ts {micros} outside the 30 days";
                }

                if (dt.Values[i] != (int)(micros / StandardDataset.MicrosPerDay))
                {
                    return $"dt {dt.Values[i]} is not the date of ts {micros}";
                }

                days.Add(dt.Values[i]);
                if (customer.Values[i] is < 0 or >= StandardDataset.Customers)
                {
                    return $"customer_id {customer.Values[i]}";
                }

                if (amount.Values[i] is < 0 or >= 100_000)
                {
                    return $"amount {amount.Values[i]}";
                }

                if (!StandardDataset.Currencies.Contains(currency.GetString(i)))
                {
                    return $"currency '{currency.GetString(i)}'";
                }

                if (note.IsNull(i))
                {
                    nulls++;
                }
                else if (note.GetString(i).Length is < 8 or > 24 || !note.GetString(i).All(char.IsAscii))
                {
                    return $"note '{note.GetString(i)}'";
                }
            }

            if (days.Count != StandardDataset.Days)
            {
                return $"a batch touches {days.Count} days, not {StandardDataset.Days}";
            }
        }

        var rate = (double)nulls / data.Rows;
        return rate is > 0.19 and < 0.21 ? null : $"note null rate {rate:P1}, expected 20%";
    }

    private static async Task<string?> StreamingSourceAsync()
    {
        using var data = StandardDataset.Generate(250_000, 100_000);
        var source = new StandardDatasetSource(250_000, 100_000);
        var context = new RunContext("selftest", 1, "selftest", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        var i = 0;
        await foreach (var batch in source.ReadAsync(context).ConfigureAwait(false))
        {
            using (batch)
            {
                if (Describe(batch) != Describe(data.Batches[i++]))
                {
                    return $"batch {i - 1} differs";
                }
            }
        }

        return i == data.Batches.Count ? null : $"{i} batches, expected {data.Batches.Count}";
    }

    private static string? ArrowScan()
    {
        using var data = StandardDataset.Generate(250_000, 100_000);
        var before = Describe(data.Batches[2]);
        using var duck = DuckDbPeer.Open();
        duck.LoadTable(data);
        var sum = duck.ScalarLong($"SELECT CAST(sum(id) AS BIGINT) FROM {DuckDbPeer.TableName}");
        var nulls = duck.ScalarLong($"SELECT count(*) FROM {DuckDbPeer.TableName} WHERE note IS NULL");
        var expectedNulls = data.Batches.Sum(static b => (long)b.Column("note").NullCount);
        if (sum != 250_000L * 249_999 / 2 || nulls != expectedNulls)
        {
            return $"DuckDB saw sum(id) {sum}, {nulls} null notes (expected {expectedNulls})";
        }

        return Describe(data.Batches[2]) == before ? null : "the batches changed after DuckDB scanned them";
    }

    private static string? Verification()
    {
        using var scratch = new ScratchDirectory("selftest");
        using var data = StandardDataset.Generate(200_000, 100_000);
        var complete = scratch["complete.parquet"];
        var partial = scratch["partial.parquet"];
        ParquetSharpPeer.WriteFile(complete, StandardDataset.Schema, data.Batches, WriteSettings.Snappy);
        ParquetSharpPeer.WriteFile(partial, StandardDataset.Schema, [data.Batches[0]], WriteSettings.Snappy);
        if (DuckDbPeer.Verify(complete, data.Rows) is { } problem)
        {
            return $"a complete file was rejected: {problem}";
        }

        return DuckDbPeer.Verify(partial, data.Rows) is null ? "a file with half the rows was accepted" : null;
    }

    /// <summary>A fingerprint of a batch: every buffer's bytes hashed, with lengths and null counts.</summary>
    private static string Describe(RecordBatch batch)
    {
        var hash = new HashCode();
        hash.Add(batch.Length);
        foreach (var column in batch.Arrays)
        {
            hash.Add(column.NullCount);
            foreach (var buffer in column.Data.Buffers)
            {
                hash.AddBytes(buffer.Span);
            }
        }

        return $"{batch.Length}:{hash.ToHashCode()}";
    }
}

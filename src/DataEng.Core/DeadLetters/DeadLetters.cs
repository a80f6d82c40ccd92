using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;

namespace DataEng.Core;

/// <summary>Dead-letter targets: Parquet files under a folder, or any sink.</summary>
public static class DeadLetters
{
    /// <summary>Gets the Arrow schema of dead-letter rows: pipeline, run_number, run_id, stage, position, error and raw
    /// (the row's values as a JSON object of column to text).</summary>
    public static Apache.Arrow.Schema Schema { get; } = new(
        [
            new Apache.Arrow.Field("pipeline", StringType.Default, false),
            new Apache.Arrow.Field("run_number", Int64Type.Default, false),
            new Apache.Arrow.Field("run_id", StringType.Default, false),
            new Apache.Arrow.Field("stage", StringType.Default, false),
            new Apache.Arrow.Field("position", StringType.Default, false),
            new Apache.Arrow.Field("error", StringType.Default, false),
            new Apache.Arrow.Field("raw", StringType.Default, false),
        ],
        null);

    /// <summary>Writes dead letters as Parquet files: <c>folder/pipeline=P/run-N-STAGE.parquet</c>, each replaced
    /// atomically and durably, so a rerun of a failed run replaces its own file.</summary>
    /// <param name="folder">The dead-letter folder.</param>
    /// <returns>The target.</returns>
    public static IDeadLetterTarget ToFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return new FolderTarget(Path.GetFullPath(folder));
    }

    /// <summary>Writes dead letters to a sink (for example a lake table) with <see cref="Schema"/>: one commit per
    /// stage and run, under the pipeline name <c>P.dead-letters.STAGE</c> and the run's number.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>The target.</returns>
    public static IDeadLetterTarget ToSink(ISink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Validate(Schema);
        return new SinkTarget(sink);
    }

    internal static string RawJson(IReadOnlyDictionary<string, string?> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in values)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed class FolderTarget(string folder) : IDeadLetterTarget
    {
        public string Name => folder;

        public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> rows, RunContext context, string stage, CancellationToken cancellationToken = default)
        {
            var fields = Schema.FieldsList.Select(static f => f.DataType is Int64Type ? (DataField)new DataField<long>(f.Name) : new DataField<string>(f.Name)).ToArray();
            using var buffer = new MemoryStream();
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), buffer, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(fields[0], rows.Select(static r => r.PipelineName).ToArray()).ConfigureAwait(false);
                await group.WriteAsync<long>(fields[1], rows.Select(static r => r.RunNumber).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
                await group.WriteAsync(fields[2], rows.Select(static r => r.RunId).ToArray()).ConfigureAwait(false);
                await group.WriteAsync(fields[3], rows.Select(static r => r.Stage).ToArray()).ConfigureAwait(false);
                await group.WriteAsync(fields[4], rows.Select(static r => r.Position).ToArray()).ConfigureAwait(false);
                await group.WriteAsync(fields[5], rows.Select(static r => r.Error).ToArray()).ConfigureAwait(false);
                await group.WriteAsync(fields[6], rows.Select(static r => RawJson(r.RawValues)).ToArray()).ConfigureAwait(false);
            }

            var directory = Path.Combine(folder, "pipeline=" + FileCheckpointStore.FileNameOf(context.PipelineName));
            DurableFile.CreateDirectoryDurable(directory);
            var file = Path.Combine(directory, $"run-{context.RunNumber}-{FileCheckpointStore.FileNameOf(stage)}.parquet");
            await DurableFile.WriteAllBytesAtomicAsync(file, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class SinkTarget(ISink sink) : IDeadLetterTarget
    {
        public string Name => sink.Name;

        public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> rows, RunContext context, string stage, CancellationToken cancellationToken = default)
        {
            using var batch = ToBatch(rows, context);
            var writer = await sink.OpenAsync(Schema, context, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                await writer.PrepareAsync(new SinkCommit($"{context.PipelineName}.dead-letters.{stage}", context.RunNumber, context.RunId, new Dictionary<string, string>()), cancellationToken).ConfigureAwait(false);
                await writer.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        private static RecordBatch ToBatch(IReadOnlyList<DeadLetter> rows, RunContext context)
        {
            var columns = new IArrowArray[7];
            columns[0] = Strings(rows, static r => r.PipelineName, context);
            var runs = new Int64Array.Builder().Reserve(rows.Count);
            foreach (var row in rows)
            {
                runs.Append(row.RunNumber);
            }

            columns[1] = runs.Build(context.Allocator);
            columns[2] = Strings(rows, static r => r.RunId, context);
            columns[3] = Strings(rows, static r => r.Stage, context);
            columns[4] = Strings(rows, static r => r.Position, context);
            columns[5] = Strings(rows, static r => r.Error, context);
            columns[6] = Strings(rows, static r => RawJson(r.RawValues), context);
            return new RecordBatch(Schema, columns, rows.Count);
        }

        private static StringArray Strings(IReadOnlyList<DeadLetter> rows, Func<DeadLetter, string> select, RunContext context)
        {
            var builder = new StringArray.Builder().Reserve(rows.Count);
            foreach (var row in rows)
            {
                builder.Append(select(row));
            }

            return builder.Build(context.Allocator);
        }
    }
}

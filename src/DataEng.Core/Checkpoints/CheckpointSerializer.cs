using System.Text;
using System.Text.Json;

namespace DataEng.Core;

/// <summary>Reads and writes a <see cref="CommittedRun"/> as a small JSON document (file and database stores).</summary>
internal static class CheckpointSerializer
{
    private const int Format = 1;

    public static byte[] Serialize(string pipelineName, CommittedRun run)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("pipeline", pipelineName);
            json.WriteNumber("runNumber", run.RunNumber);
            json.WriteString("runId", run.RunId);
            json.WritePropertyName("properties");
            WriteProperties(json, run.Properties);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static string SerializeProperties(IReadOnlyDictionary<string, string> properties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteProperties(json, properties);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static Dictionary<string, string> DeserializeProperties(string text, string where)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return ReadProperties(document.RootElement, where);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(where, null, "properties", "the checkpoint properties are not valid JSON; restore the checkpoint or delete it to start over.", e);
        }
    }

    public static CommittedRun Deserialize(ReadOnlySpan<byte> utf8, string where)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var format = root.GetProperty("format").GetInt32();
            if (format != Format)
            {
                throw new DataFormatException(where, null, "format", $"checkpoint format {format} is not supported (expected {Format}).");
            }

            return new CommittedRun(
                root.GetProperty("runNumber").GetInt64(),
                root.GetProperty("runId").GetString() ?? string.Empty,
                ReadProperties(root.GetProperty("properties"), where));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException(where, null, null, "the checkpoint is not valid; restore it from a backup or delete it to start over.", e);
        }
    }

    private static void WriteProperties(Utf8JsonWriter json, IReadOnlyDictionary<string, string> properties)
    {
        json.WriteStartObject();
        foreach (var (key, value) in properties.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static Dictionary<string, string> ReadProperties(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException(where, null, "properties", "the checkpoint properties must be a JSON object.");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = property.Value.GetString() ?? string.Empty;
        }

        return result;
    }
}

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ThrottleFs.Statistics;

/// <summary>
/// The JSON form of <see cref="MountStatistics"/>, as <c>.throttlefs/stats</c> serves it: camelCase property names,
/// indented, <c>\n</c> line ends, and parsed back to exactly the values written (doubles are written in their shortest
/// round-trip form). The serializer is source generated, so it needs no reflection: fast, and safe to trim.
/// </summary>
internal static partial class StatisticsJson
{
    /// <summary>Serializes <paramref name="statistics"/> as UTF-8, indented unless <paramref name="indented"/> is false.</summary>
    public static byte[] SerializeToUtf8Bytes(MountStatistics statistics, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented)))
        {
            JsonSerializer.Serialize(writer, statistics, Context.Default.MountStatistics);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Serializes <paramref name="statistics"/> as text: indented, or with <paramref name="indented"/> false on one line
    /// (for NDJSON, one snapshot per line).
    /// </summary>
    public static string Serialize(MountStatistics statistics, bool indented = true) =>
        Encoding.UTF8.GetString(SerializeToUtf8Bytes(statistics, indented));

    /// <summary>One file's statistics as indented text (the <c>user.throttlefs.stats</c> attribute).</summary>
    public static string Serialize(FileStatistics statistics)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented: true)))
        {
            JsonSerializer.Serialize(writer, statistics, Context.Default.FileStatistics);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses what <see cref="SerializeToUtf8Bytes"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not JSON, or misses a property, or has a null where none is allowed.</exception>
    public static MountStatistics Parse(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, Context.Default.MountStatistics)
        ?? throw new JsonException("The statistics are 'null'.");

    /// <summary>Parses what <see cref="Serialize"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not JSON, or misses a property, or has a null where none is allowed.</exception>
    public static MountStatistics Parse(string json) =>
        JsonSerializer.Deserialize(json, Context.Default.MountStatistics)
        ?? throw new JsonException("The statistics are 'null'.");

    /// <summary>
    /// Replaces what JSON cannot hold: NaN (a ratio over an empty bucket, say) becomes 0, infinities the largest finite
    /// values of their sign.
    /// </summary>
    internal static double Finite(double value) => value switch
    {
        double.NaN => 0,
        double.PositiveInfinity => double.MaxValue,
        double.NegativeInfinity => double.MinValue,
        _ => value,
    };

    private static JsonWriterOptions WriterOptions(bool indented) => new()
    {
        Indented = indented,
        NewLine = "\n",
        // Paths are file names, not HTML: keep é and + readable instead of \u00E9 and \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes doubles finite, so one NaN never makes the whole document unserializable.</summary>
    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Finite(value));
    }

    // Strict on read: a missing property or a null list is an error here rather than a NullReferenceException in a viewer.
    [JsonSourceGenerationOptions(
        PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = [typeof(FiniteDoubleConverter)])]
    [JsonSerializable(typeof(MountStatistics))]
    private sealed partial class Context : JsonSerializerContext;
}

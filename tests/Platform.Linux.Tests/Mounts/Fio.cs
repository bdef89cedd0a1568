using System.Text.Json;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>Runs fio with JSON output and reads back what it did.</summary>
internal static class Fio
{
    public sealed record Outcome(long ReadIos, long WriteIos, double ReadIops, double WriteIops, int Errors, string Raw);

    public static Outcome Run(params string[] arguments)
    {
        var result = Tool.Run("fio", [.. arguments, "--output-format=json"], TimeSpan.FromMinutes(3));
        var json = result.Output;
        var start = json.IndexOf('{'); // fio may print warnings before the JSON
        if (start < 0)
        {
            throw new InvalidOperationException($"fio printed no JSON: {result}");
        }

        using var document = JsonDocument.Parse(json[start..]);
        long readIos = 0, writeIos = 0;
        double readIops = 0, writeIops = 0;
        var errors = 0;
        foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
        {
            readIos += job.GetProperty("read").GetProperty("total_ios").GetInt64();
            writeIos += job.GetProperty("write").GetProperty("total_ios").GetInt64();
            readIops += job.GetProperty("read").GetProperty("iops").GetDouble();
            writeIops += job.GetProperty("write").GetProperty("iops").GetDouble();
            errors += job.GetProperty("error").GetInt32();
        }

        return new Outcome(readIos, writeIos, readIops, writeIops, errors + (result.ExitCode == 0 ? 0 : 1), result.ToString());
    }
}

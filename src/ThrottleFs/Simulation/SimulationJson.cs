using System.Text;
using System.Text.Json;

namespace ThrottleFs.Simulation;

/// <summary>
/// <c>throttlefs simulate --json</c>: one object per candidate (an array when there are several), snake_case, times in
/// seconds (<c>_s</c>) and milliseconds (<c>_ms</c>):
/// <code>
/// { "candidate": "iops-total=100", "mode": "closed", "duration_s": 19.89, "recorded_duration_s": 1.2, "ops": 2000,
///   "waited_ops": 1989, "refused_ops": 0, "wait_p50_ms": 9.9, "wait_p90_ms": ..., "wait_p99_ms": ..., "wait_max_ms": ...,
///   "peak_queue_depth": 1, "groups": [ { "name": ..., ... } ], "files": [ { "path": ..., ... } ] }
/// </code>
/// </summary>
internal static class SimulationJson
{
    /// <summary>The results as JSON text.</summary>
    public static string Write(IReadOnlyList<SimulationResult> results)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            if (results.Count == 1)
            {
                Candidate(json, results[0]);
            }
            else
            {
                json.WriteStartArray();
                foreach (var result in results)
                {
                    Candidate(json, result);
                }

                json.WriteEndArray();
            }
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Candidate(Utf8JsonWriter json, SimulationResult result)
    {
        json.WriteStartObject();
        json.WriteString("candidate", result.Candidate);
        json.WriteString("mode", result.Mode.ToString().ToLowerInvariant());
        Scope(json, result.Mount);
        Named(json, "groups", "name", result.Groups);
        Named(json, "files", "path", result.Files);
        json.WriteEndObject();
    }

    private static void Named(Utf8JsonWriter json, string array, string key, IReadOnlyList<ScopeResult> scopes)
    {
        json.WriteStartArray(array);
        foreach (var scope in scopes)
        {
            json.WriteStartObject();
            json.WriteString(key, scope.Name);
            Scope(json, scope);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void Scope(Utf8JsonWriter json, ScopeResult scope)
    {
        json.WriteNumber("duration_s", scope.DurationNs / 1e9);
        json.WriteNumber("recorded_duration_s", scope.RecordedDurationNs / 1e9);
        json.WriteNumber("ops", scope.Ops);
        json.WriteNumber("waited_ops", scope.WaitedOps);
        json.WriteNumber("refused_ops", scope.RefusedOps);
        json.WriteNumber("wait_p50_ms", scope.WaitP50Ns / 1e6);
        json.WriteNumber("wait_p90_ms", scope.WaitP90Ns / 1e6);
        json.WriteNumber("wait_p99_ms", scope.WaitP99Ns / 1e6);
        json.WriteNumber("wait_max_ms", scope.WaitMaxNs / 1e6);
        json.WriteNumber("peak_queue_depth", scope.PeakQueueDepth);
    }
}

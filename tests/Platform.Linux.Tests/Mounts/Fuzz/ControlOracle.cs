using System.Text;
using System.Text.Json.Nodes;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Throttling;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Fuzz;

/// <summary>
/// What a mount's limits must be after batches written to its control file: the same config loaded in this process,
/// and each batch's lines run one at a time through a <see cref="ControlPanel"/> of its own, up to the first refused
/// line, as the control file runs them however the writes cut them. Batches accumulate, as on the mount.
/// </summary>
internal sealed class ControlOracle : IDisposable
{
    private readonly ThrottlePolicy _policy;
    private readonly ControlPanel _panel;

    public ControlOracle(string configPath)
    {
        _policy = new ThrottlePolicy(new ConfigSource(configPath, []).Load());
        _panel = new ControlPanel(_policy, Serilog.Core.Logger.None, 0);
    }

    /// <summary>The limits in force, as reading <c>control</c> shows them.</summary>
    public JsonNode Limits => JsonNode.Parse(_panel.Render(ControlFile.Control))!;

    /// <summary>Runs a batch: null when every line was applied, else the refusal as <c>errors</c> words it (without the time and who).</summary>
    public string? Run(byte[] batch)
    {
        var start = 0;
        while (start < batch.Length)
        {
            var end = Array.IndexOf(batch, (byte)'\n', start);
            end = end < 0 ? batch.Length : end;
            if (!_panel.Execute(PathText.Decode(batch.AsSpan(start, end - start)), "oracle"))
            {
                var errors = Encoding.UTF8.GetString(_panel.Render(ControlFile.Errors));
                var entry = errors[errors.LastIndexOf("oracle: refused ", StringComparison.Ordinal)..];
                return entry["oracle: ".Length..];
            }

            start = end + 1;
        }

        return null;
    }

    public void Dispose() => _policy.Dispose();
}

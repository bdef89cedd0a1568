using System.Text;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Fuzz;

/// <summary>
/// Batches for a mount's control file: random bytes (any byte, newlines included), and valid commands (per-file,
/// group, mount, assign) with random garbage lines among them, so that a batch is often refused part way through.
/// Every batch ends with a newline: a refusal of a last line without one would fail only the close, which cat and
/// dd do not report.
/// </summary>
internal sealed class ControlBatches(Random random)
{
    private readonly List<string> _groups = [];

    public byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return [.. bytes, (byte)'\n'];
    }

    /// <summary><paramref name="lines"/> lines, each garbage with probability <paramref name="garbage"/>.</summary>
    public byte[] Commands(int lines, double garbage)
    {
        var batch = new List<byte>();
        for (var i = 0; i < lines; i++)
        {
            batch.AddRange(random.NextDouble() < garbage ? Garbage() : Encoding.UTF8.GetBytes(Command()));
            batch.AddRange(random.Next(4) == 0 ? "\r\n"u8.ToArray() : "\n"u8.ToArray());
        }

        return [.. batch];
    }

    /// <summary><paramref name="lines"/> short valid lines (the mount's iops limit, under its QMP name), about 16 bytes each.</summary>
    public byte[] ShortCommands(int lines) =>
        System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, lines).Select(_ => $"mount iops={random.Next(1, 100_000)}\n")));

    /// <summary>A valid command.</summary>
    public string Command()
    {
        var value = random.Next(1, 1_000_000);
        switch (random.Next(6))
        {
            case 0:
                var group = $"g{random.Next(20)}";
                _groups.Add(group);
                return $"group {group} iops-total={value}";
            case 1:
                return $"mount bps-total={value}K";
            case 2 when _groups.Count > 0:
                return $"assign images/disk-{random.Next(200)}.img {_groups[random.Next(_groups.Count)]}";
            case 3:
                return $"unassign \"images/my disk {random.Next(200)}.img\"";
            default:
                return $"file images/disk-{random.Next(200)}.img iops-total={value},bps-total={value}K";
        }
    }

    // A line of random bytes or printable junk, without a newline in it.
    private byte[] Garbage()
    {
        var bytes = new byte[random.Next(1, 120)];
        random.NextBytes(bytes);
        if (random.Next(2) == 0)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.Next(0x20, 0x7f);
            }
        }

        return [.. bytes.Where(b => b != (byte)'\n')];
    }
}

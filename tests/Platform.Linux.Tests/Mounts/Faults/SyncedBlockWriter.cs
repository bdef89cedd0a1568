using System.Diagnostics;
using System.Globalization;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Faults;

/// <summary>
/// A writer in a child process (perl, which every Debian system has), so that whatever the mount does to it, the test
/// process is not the one blocked or killed: it copies a source file block by block to a target, in order, calls
/// fsync after each block and prints the block's number once fsync has returned success. The numbers it printed are
/// the blocks the target's filesystem acknowledged as durable.
/// </summary>
internal sealed class SyncedBlockWriter : IDisposable
{
    private const string Script = """
        use strict;
        use warnings;
        use Fcntl qw(O_RDONLY O_WRONLY O_CREAT);
        use IO::Handle;
        my ($source, $target, $size, $count) = @ARGV;
        STDOUT->autoflush(1);
        sysopen(my $in, $source, O_RDONLY) or die "open $source: $!\n";
        sysopen(my $out, $target, O_WRONLY | O_CREAT, 0644) or die "open $target: $!\n";
        for my $block (0 .. $count - 1) {
            my $data;
            my $read = sysread($in, $data, $size);
            defined $read && $read == $size or die "read of source block $block failed\n";
            my $written = syswrite($out, $data);
            defined $written or die "write of block $block: $!\n";
            $written == $size or die "short write of block $block: $written bytes\n";
            $out->sync or die "fsync of block $block: $!\n";
            print "$block\n";
        }
        """;

    private readonly Process _process;
    private readonly List<int> _acknowledged = [];
    private readonly Task _output;
    private readonly Task<string> _error;

    private SyncedBlockWriter(Process process)
    {
        _process = process;
        _error = process.StandardError.ReadToEndAsync();
        _output = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_acknowledged)
                {
                    _acknowledged.Add(int.Parse(line, CultureInfo.InvariantCulture));
                }
            }
        });
    }

    /// <summary>The block numbers acknowledged so far, in the order the writer printed them.</summary>
    public IReadOnlyList<int> Acknowledged
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Writes the first <paramref name="count"/> blocks of <paramref name="source"/> to <paramref name="target"/>.</summary>
    public static SyncedBlockWriter Start(string source, string target, int blockSize, int count)
    {
        var start = new ProcessStartInfo("perl")
        {
            ArgumentList = { "-e", Script, source, target, blockSize.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new SyncedBlockWriter(Process.Start(start)!);
    }

    /// <summary>Waits until at least <paramref name="blocks"/> blocks are acknowledged (true), the writer stops, or the time is up.</summary>
    public bool WaitForAcknowledged(int blocks, TimeSpan timeout) =>
        FaultProbe.WaitUntil(() => Acknowledged.Count >= blocks || _output.IsCompleted, timeout) && Acknowledged.Count >= blocks;

    /// <summary>Waits for the writer to exit and for everything it printed to be read.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) && _output.Wait(timeout) && _error.Wait(timeout);

    public override string ToString() =>
        $"writer {(_process.HasExited ? $"exited {_process.ExitCode}" : "running")}, {Acknowledged.Count} blocks acknowledged" +
        (_error.IsCompleted ? $", stderr: {_error.Result.Trim()}" : "");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }
}

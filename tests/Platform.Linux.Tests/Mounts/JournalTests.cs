using System.Net.Sockets;
using System.Text;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>
/// A mount that systemd started (INVOCATION_ID set, as for a mount unit made from fstab) logs to the journal: here a
/// datagram socket of the test's own stands for /run/systemd/journal/socket.
/// </summary>
public sealed class JournalTests
{
    [Fact]
    public void AMountStartedBySystemd_LogsToTheJournal_WithLevelsAndItsName()
    {
        var root = Directory.CreateTempSubdirectory("throttlefs-journal-").FullName;
        var socketPath = Path.Combine(root, "journal.socket");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(socketPath));
        var point = Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName;
        var source = Directory.CreateDirectory(Path.Combine(root, "src")).FullName;
        var config = Path.Combine(root, "throttlefs.json");
        File.WriteAllText(config, "{}");
        try
        {
            var mount = Tool.Run("env", ["INVOCATION_ID=0123456789abcdef", $"THROTTLEFS_JOURNAL_SOCKET={socketPath}", "dotnet",
                Path.Combine(AppContext.BaseDirectory, "throttlefs.dll"), "mount", source, point, "--config", config], TimeSpan.FromSeconds(60));
            Assert.True(mount.ExitCode == 0, mount.ToString());
            Assert.Equal(2, Tool.ThrottleFs("set", point, "file", "a.img", "iops-totl=1").ExitCode);

            var messages = Receive(journal, until: entries => entries.Any(entry => entry.Contains("PRIORITY=3")));
            Assert.Contains(messages, entry => entry.StartsWith("MESSAGE=Mounted ", StringComparison.Ordinal) && entry.Contains("\nPRIORITY=6\nSYSLOG_IDENTIFIER=throttlefs\n"));
            Assert.Contains(messages, entry => entry.Contains("Refused control line 'file a.img iops-totl=1'") && entry.Contains("\nPRIORITY=3\n"));
        }
        finally
        {
            Tool.ThrottleFs("unmount", point);
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<string> Receive(Socket journal, Func<List<string>, bool> until)
    {
        var entries = new List<string>();
        var buffer = new byte[65536];
        journal.ReceiveTimeout = 10_000;
        while (!until(entries))
        {
            var length = journal.Receive(buffer);
            entries.Add(Encoding.UTF8.GetString(buffer, 0, length));
        }

        return entries;
    }
}

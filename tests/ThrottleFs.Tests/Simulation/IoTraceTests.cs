using ThrottleFs.Configuration;
using ThrottleFs.Qos;
using ThrottleFs.Simulation;
using ThrottleFs.Throttling;
using ThrottleFs.Tracing;

namespace ThrottleFs.Tests.Simulation;

/// <summary>The trace file: what the recorder's writer puts in it and what simulate reads back.</summary>
public sealed class IoTraceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-iotrace-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void WhatTheWriterWrites_IsAVersion3Iolog_AndReadsBackAsWritten()
    {
        using var policy = new ThrottlePolicy(ThrottleFsSettings.Empty, new VirtualClock());
        var disk = policy.Open("images/vm 1.img").File;
        var other = policy.Open("b.img").File;
        var path = Path.Combine(_directory, "trace.log");
        var writer = new IoLogWriter(File.Create(path));
        writer.Append(new TraceRecord(disk, ThrottleDirection.Read, 8192, 4096, 1_500_000, 2_000_000, 37_000));
        writer.Append(new TraceRecord(other, ThrottleDirection.Write, 0, 65536, 1_600_000, 0, 120_000));
        writer.Append(new TraceRecord(disk, ThrottleDirection.Write, 4096, 512, 3_000_000, 10_000, 5_000));
        writer.Close(5_000_000);

        Assert.Equal(
            [
                "fio version 3 iolog",
                @"1500 images/vm\x201.img add",
                @"1500 images/vm\x201.img open",
                @"1500 images/vm\x201.img read 8192 4096 2000 37",
                "1600 b.img add",
                "1600 b.img open",
                "1600 b.img write 0 65536 0 120",
                @"3000 images/vm\x201.img write 4096 512 10 5",
                @"5000 images/vm\x201.img close",
                "5000 b.img close",
            ],
            File.ReadAllLines(path));

        var trace = IoTrace.Read(path);
        Assert.Equal(["images/vm 1.img", "b.img"], trace.Files);
        Assert.Equal(
            [
                new TraceRequest(0, ThrottleDirection.Read, 8192, 4096, 1_500_000, 2_000_000, 37_000),
                new TraceRequest(1, ThrottleDirection.Write, 0, 65536, 1_600_000, 0, 120_000),
                new TraceRequest(0, ThrottleDirection.Write, 4096, 512, 3_000_000, 10_000, 5_000),
            ],
            trace.Requests);
    }

    [Fact]
    public void ATraceFioWrote_HasNoWaitColumns_AndTakesARootForItsAbsoluteNames()
    {
        var path = Write(
            "fio version 3 iolog",
            "29 /mnt/vms/images/a.img add",
            "170 /mnt/vms/images/a.img open",
            "179 /mnt/vms/images/a.img read 61440 4096",
            "20175 /mnt/vms/images/a.img write 774144 4096",
            "20200 /mnt/vms/images/a.img sync 0 0",
            "81364 /mnt/vms/images/a.img close");

        var rooted = IoTrace.Read(path, root: "/mnt/vms");
        var plain = IoTrace.Read(path);

        Assert.Equal(["images/a.img"], rooted.Files);
        Assert.Equal(["mnt/vms/images/a.img"], plain.Files);
        Assert.Equal(
            [new TraceRequest(0, ThrottleDirection.Read, 61440, 4096, 179_000, 0, 0), new TraceRequest(0, ThrottleDirection.Write, 774144, 4096, 20_175_000, 0, 0)],
            rooted.Requests);
        Assert.Equal(1, rooted.Skipped);
    }

    [Fact]
    public void LinesOutOfOrder_AreReplayedInOrderOfArrival_EqualTimesInTheOrderWritten()
    {
        var path = Write(
            "fio version 3 iolog",
            "500 a read 0 4096 0 1",
            "100 a read 4096 4096 400 1",
            "500 a read 8192 4096 0 1");

        Assert.Equal([4096L, 0L, 8192L], IoTrace.Read(path).Requests.Select(r => r.Offset));
    }

    [Theory]
    [InlineData("fio version 2 iolog\na add\na read 0 4096", "is a version 2 iolog, which has no timestamps")]
    [InlineData("hello", "its first line should be 'fio version 3 iolog'")]
    [InlineData("fio version 3 iolog\n10 a read 0", "line 2: a read needs an OFFSET and a LENGTH in bytes: '10 a read 0'")]
    [InlineData("fio version 3 iolog\n10 a add\nsoon a read 0 4096", "line 3: expected 'TIMESTAMP FILE ACTION [OFFSET LENGTH]'")]
    [InlineData("fio version 3 iolog\n10 a read 0 4096 -5 1", "line 2: the wait and service columns are microseconds")]
    [InlineData("fio version 3 iolog\n10 ../a read 0 4096", "line 2: '../a': '..' is not allowed")]
    public void ABadTrace_IsRefused_NamingTheLineAndTheProblem(string text, string message)
    {
        var path = Write(text.Split('\n'));

        var error = Assert.Throws<ConfigException>(() => IoTrace.Read(path));

        Assert.Contains(message, error.Message);
    }

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_directory, $"t{Guid.NewGuid():N}.log");
        File.WriteAllLines(path, lines);
        return path;
    }
}

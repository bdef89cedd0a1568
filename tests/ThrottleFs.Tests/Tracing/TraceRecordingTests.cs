using ThrottleFs.FileSystem;
using ThrottleFs.Qos;
using ThrottleFs.Tests.Control;
using ThrottleFs.Tracing;

namespace ThrottleFs.Tests.Tracing;

/// <summary>
/// A trace started and stopped by control lines, over the mount's stack on the virtual clock, so the times in the
/// file are exact: every file limited to iops-total=100, whose bucket lets 11 reads through and makes the 12th wait 10 ms.
/// </summary>
public sealed class TraceRecordingTests : IDisposable
{
    private readonly ControlledFiles _files = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-trace-").FullName;

    public TraceRecordingTests()
    {
        _files.Backing.AddFile("a.img", new byte[1 << 20]);
        _files.Backing.AddFile("notes.txt", new byte[4096]);
    }

    public void Dispose()
    {
        _files.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TheFilesATraceIncludes_AreRecordedWithWhenTheyArrived_AndWhatTheyWaited()
    {
        var trace = Path.Combine(_directory, "t.log");
        Assert.Equal(Errno.Success, (await _files.WriteControl($"trace start {trace} files=*.img\n")).Error);
        var image = _files.Open("a.img");
        var notes = _files.Open("notes.txt");
        var buffer = new byte[4096];

        for (var i = 0; i < 11; i++)
        {
            Assert.Equal(4096, (await _files.Files.ReadAsync(image, i * 4096, buffer, default)).Bytes);
        }

        await _files.Files.ReadAsync(notes, 0, buffer, default);
        _files.Clock.Advance(TimeSpan.FromMilliseconds(3));
        var waiting = _files.Files.ReadAsync(image, 11 * 4096, buffer, default).AsTask();
        Assert.False(waiting.IsCompleted);
        _files.Clock.Advance(TimeSpan.FromMilliseconds(7)); // its timer fires at 10 ms
        Assert.Equal(4096, (await waiting).Bytes);         // and it is stamped admitted when it resumes
        _files.Clock.Advance(TimeSpan.FromMilliseconds(13));
        await _files.Files.WriteAsync(image, 0, new byte[512], default); // by 23 ms the bucket is below its capacity again
        Assert.StartsWith($"tracing files *.img into {trace}", await _files.ReadAll(".throttlefs/trace"));
        Assert.Equal(Errno.Success, (await _files.WriteControl("trace stop\n")).Error);

        var lines = File.ReadAllLines(trace);
        Assert.Equal("fio version 3 iolog", lines[0]);
        Assert.Equal(["0 a.img add", "0 a.img open"], lines[1..3]);
        Assert.Equal([.. Enumerable.Range(0, 11).Select(i => $"0 a.img read {i * 4096} 4096 0 0")], lines[3..14]);
        // Arrived at 3 ms; the bucket was over by one until 10 ms, so it waited 7 ms.
        Assert.Equal("3000 a.img read 45056 4096 7000 0", lines[14]);
        Assert.Equal("23000 a.img write 0 512 0 0", lines[15]);
        Assert.Equal("23000 a.img close", lines[^1]);
        Assert.DoesNotContain(lines, line => line.Contains("notes.txt"));
        Assert.StartsWith("not tracing; the last trace (files *.img into", await _files.ReadAll(".throttlefs/trace"));
        Assert.Contains("13 requests written, 0 dropped", await _files.ReadAll(".throttlefs/trace"));
    }

    [Fact]
    public async Task TraceLines_ThatCannotRun_AreRefused_AndSayWhy()
    {
        Assert.NotEqual(Errno.Success, (await _files.WriteControl("trace start t.log\n")).Error);
        Assert.Contains("must be an absolute path", await _files.ReadAll(".throttlefs/errors"));
        Assert.NotEqual(Errno.Success, (await _files.WriteControl($"trace start {_directory}/t.log duration=0s\n")).Error);
        Assert.Contains("is not a duration above zero", await _files.ReadAll(".throttlefs/errors"));
        Assert.NotEqual(Errno.Success, (await _files.WriteControl($"trace start {_directory}/t.log files=[z-a]\n")).Error);
        Assert.Contains("trace files '[z-a]'", await _files.ReadAll(".throttlefs/errors"));
        Assert.NotEqual(Errno.Success, (await _files.WriteControl($"trace start {_directory}/t.log speed=fast\n")).Error);
        Assert.Contains("'speed=fast' is not a trace option", await _files.ReadAll(".throttlefs/errors"));
        Assert.NotEqual(Errno.Success, (await _files.WriteControl("trace pause\n")).Error);
        Assert.Contains("is not a trace command (trace start FILE", await _files.ReadAll(".throttlefs/errors"));
        Assert.NotEqual(Errno.Success, (await _files.WriteControl($"trace start {_directory}/missing/t.log\n")).Error);
        Assert.Contains("cannot write the trace file", await _files.ReadAll(".throttlefs/errors"));
        Assert.StartsWith("not tracing; no trace has run since the mount", await _files.ReadAll(".throttlefs/trace"));
    }

    [Fact]
    public async Task ATraceWithADuration_StopsByItself()
    {
        var trace = Path.Combine(_directory, "d.log");
        Assert.Equal(Errno.Success, (await _files.WriteControl($"trace start {trace} duration=2s\n")).Error);
        _files.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Contains("stopped on its duration (2s): 0 requests written", await _files.ReadAll(".throttlefs/trace"));
        Assert.Equal(["fio version 3 iolog"], File.ReadAllLines(trace));
    }

    [Fact]
    public void AFullBuffer_DropsAndCountsRecords_RatherThanWaitForTheWriter()
    {
        var buffer = new TraceBuffer(4);
        for (var i = 0; i < 6; i++)
        {
            buffer.Append(new TraceRecord(null!, ThrottleDirection.Read, i, 4096, i, 0, 0));
        }

        var drained = new List<TraceRecord>();
        buffer.DrainInto(drained);
        Assert.Equal([0L, 1, 2, 3], drained.Select(record => record.Offset));
        Assert.Equal(2, buffer.Dropped);
        buffer.Append(new TraceRecord(null!, ThrottleDirection.Write, 9, 4096, 9, 0, 0));
        drained.Clear();
        buffer.DrainInto(drained);
        Assert.Equal([9L], drained.Select(record => record.Offset));
    }
}

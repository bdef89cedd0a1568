using System.Diagnostics;
using System.Text;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser.ExerciserSettings;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// The exerciser, in the spirit of fsx: one file on a real mount driven by random operations from a seed, checked
/// against an in-memory model after every one of them. After each operation its outcome (bytes transferred or
/// errno) must be the model's, the data a read returns must be the model's bytes, and after any operation that may
/// change the size, st_size through the mount and on the backing store must be the model's size. Every
/// <see cref="VerifyEvery"/> operations and at the end, the whole content of both files is read through the mount
/// and from the backing store and compared with the models. The first mismatch fails the test with the seed, the
/// operation, what differed and the operations that led to it.
/// </summary>
internal sealed class FileExerciser : IDisposable
{
    /// <summary>The second file's size before the run: unaligned, so copies from it meet a ragged end.</summary>
    private const long OtherInitialSize = MiB + 1234;

    private readonly ExerciserSettings _settings;
    private readonly LimitChanger? _limits;
    private readonly StallWatchdog? _watchdog;
    private readonly MountedFile _file;
    private readonly MountedFile _other;
    private readonly AlignedBuffer _io = new(MaxTransfer + (2 * Alignment));
    private readonly AlignedBuffer _whole = new((int)MaxFileSize + Alignment);
    private readonly FileModel _model = new(FileName, MaxFileSize);
    private readonly FileModel _otherModel = new(OtherFileName, MaxFileSize);
    private readonly OperationPicker _picker;
    private readonly OperationRunner _runner;
    private readonly OperationLog _log = new(LogLength);
    private long _number;

    public FileExerciser(ExerciserSettings settings, MountedFileSystem mount, IReadOnlySet<OperationKind> dropped, LimitChanger? limits, StallWatchdog? watchdog)
    {
        _settings = settings;
        _limits = limits;
        _watchdog = watchdog;
        _file = new MountedFile(mount.OnMount(FileName), mount.OnBacking(FileName), settings.OpenFlags);
        _other = new MountedFile(mount.OnMount(OtherFileName), mount.OnBacking(OtherFileName), settings.OpenFlags);
        _otherModel.Write(0, InitialOtherContent());
        _picker = new OperationPicker(settings.Seed, settings.Direct, dropped);
        _runner = new OperationRunner(_file, _other, _io);
    }

    /// <summary>Creates the two files on the backing store before the mount: the exercised one empty, the other with its initial content.</summary>
    public static void Prepare(string backing)
    {
        File.WriteAllBytes(Path.Combine(backing, FileName), []);
        File.WriteAllBytes(Path.Combine(backing, OtherFileName), InitialOtherContent());
    }

    /// <summary>Runs every operation; returns the log with the counts per kind.</summary>
    public OperationLog Run()
    {
        VerifyWhole("before the first operation");
        for (_number = 1; _number <= _settings.Operations; _number++)
        {
            Step();
        }

        _number = _settings.Operations;
        VerifyWhole("at the end");
        return _log;
    }

    public void Dispose()
    {
        _file.Dispose();
        _other.Dispose();
        _io.Dispose();
        _whole.Dispose();
    }

    private static byte[] InitialOtherContent()
    {
        var content = new byte[OtherInitialSize];
        DataStamp.Fill(content, 0, 0);
        return content;
    }

    private void Step()
    {
        var op = _picker.Next(_number, _model.Size, _otherModel.Size);
        if (op.WritesData)
        {
            DataStamp.Fill(_runner.Data(op, op.Length), _number, op.Offset);
        }

        var started = Stopwatch.GetTimestamp();
        var actual = _runner.Run(op);
        var took = Stopwatch.GetTimestamp() - started;
        var expected = Expectations.Apply(op, _model, _otherModel, op.WritesData ? _runner.Data(op, op.Length) : default);
        _log.Add(op, actual, took, _model.Size);
        _watchdog?.Progress();
        if (!actual.Matches(expected))
        {
            Fail(op, $"the mount returned {actual}, the model expects {expected}");
        }

        if (op.ReadsData && ContentDifference.Describe(_model.Slice(op.Offset, expected.Result), _runner.Data(op, actual.Result), op.Offset) is { } difference)
        {
            Fail(op, $"the data read differs from the model's: {difference}");
        }

        if (op.MayResize)
        {
            CheckSize(op, _file, _model);
        }

        if (op.Kind == OperationKind.CopyToOther)
        {
            CheckSize(op, _other, _otherModel);
        }

        if (_number % VerifyEvery == 0)
        {
            VerifyWhole($"after operation #{_number}", op);
        }
    }

    private void CheckSize(in Operation op, MountedFile file, FileModel model)
    {
        var onMount = file.SizeOnMount();
        if (onMount.Result != model.Size)
        {
            Fail(op, $"st_size of {model.Name} through the mount (fstat) is {onMount}, the model's size is {model.Size}");
        }

        var onBacking = file.SizeOnBacking();
        if (onBacking.Result != model.Size)
        {
            Fail(op, $"st_size of {model.Name} on the backing store is {onBacking}, the model's size is {model.Size}");
        }
    }

    // Both files, whole, through the mount (pread from the open file) and on the backing store (read past the mount).
    // The mount first: reading it also makes the kernel write back pages a mapped write left dirty, so the backing
    // store is up to date when it is read next.
    private void VerifyWhole(string when, Operation? op = null)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var (file, model) in new[] { (_file, _model), (_other, _otherModel) })
        {
            var read = file.ReadWhole(_whole);
            if (!read.Succeeded)
            {
                Fail(op, $"reading all of {model.Name} through the mount {when} failed: {read}");
            }

            if (ContentDifference.Describe(model.Content, _whole.Slice(0, (int)read.Result), 0) is { } throughMount)
            {
                Fail(op, $"{model.Name} read whole through the mount {when} differs from the model: {throughMount}");
            }

            if (ContentDifference.Describe(model.Content, File.ReadAllBytes(file.BackingPath), 0) is { } onBacking)
            {
                Fail(op, $"{model.Name} on the backing store {when} differs from the model: {onBacking}");
            }
        }

        _log.AddVerification(Stopwatch.GetElapsedTime(started));
        _watchdog?.Progress();
    }

    private void Fail(Operation? op, string what)
    {
        var message = new StringBuilder()
            .AppendLine($"The exerciser ({_settings.ModeName}, seed {_settings.Seed}) found a mismatch at operation {_number} of {_settings.Operations}: {op?.ToString() ?? "(none yet)"}")
            .AppendLine($"What differed: {what}{(_watchdog?.Fired is { } fired ? $" ({fired})" : "")}")
            .AppendLine($"Model sizes: {FileName} {_model.Size}, {OtherFileName} {_otherModel.Size}")
            .AppendLine($"Reproduce: {_settings.Reproduce}")
            .AppendLine($"The last operations (→ what the mount returned):");
        foreach (var line in _log.Recent)
        {
            message.AppendLine($"  {line}");
        }

        if (_limits is not null)
        {
            message.AppendLine("The last limit changes:");
            foreach (var line in _limits.Recent)
            {
                message.AppendLine($"  {line}");
            }
        }

        Assert.Fail(message.ToString());
    }
}

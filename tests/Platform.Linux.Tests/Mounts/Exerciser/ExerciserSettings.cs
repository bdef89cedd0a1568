using System.Globalization;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>How the exercised files are opened: through the page cache's usual path, or with O_DIRECT.</summary>
internal enum ExerciserMode
{
    Buffered,
    Direct,
}

/// <summary>
/// One run of the exerciser: its mode, its seed and how many operations it makes, with the bounds every run shares.
/// The seed comes from <see cref="SeedVariable"/> when it is set, so a failing run is repeated with the same
/// operations; otherwise it is random (and printed). <see cref="OperationsVariable"/> shortens or lengthens a run,
/// e.g. to stop just after a failing operation.
/// </summary>
internal sealed record ExerciserSettings(ExerciserMode Mode, int Seed, bool SeedGiven, long Operations, string TestName)
{
    public const string SeedVariable = "THROTTLEFS_EXERCISER_SEED";
    public const string OperationsVariable = "THROTTLEFS_EXERCISER_OPERATIONS";

    public const int KiB = 1024;
    public const int MiB = 1024 * KiB;

    /// <summary>O_DIRECT's alignment, for offsets, lengths and buffers.</summary>
    public const int Alignment = 4096;

    /// <summary>The largest single read, write, copy or mapping.</summary>
    public const int MaxTransfer = MiB;

    /// <summary>No operation takes a file beyond this size, so the model and the whole-file checks stay small.</summary>
    public const long MaxFileSize = 4 * MiB;

    /// <summary>The whole content of both files is compared, through the mount and on the backing store, this often.</summary>
    public const long VerifyEvery = 1000;

    /// <summary>How many of the last operations a failure message lists.</summary>
    public const int LogLength = 20;

    /// <summary>The file the operations act on, and the second file copies come from and go to.</summary>
    public const string FileName = "ex.bin";
    public const string OtherFileName = "other.bin";

    /// <param name="testName">The test that runs this mode, as <c>dotnet test --filter</c> names it.</param>
    public static ExerciserSettings FromEnvironment(ExerciserMode mode, long operations, string testName)
    {
        var seedText = Environment.GetEnvironmentVariable(SeedVariable);
        var given = !string.IsNullOrWhiteSpace(seedText);
        var seed = given ? int.Parse(seedText!, NumberStyles.Integer, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var countText = Environment.GetEnvironmentVariable(OperationsVariable);
        if (!string.IsNullOrWhiteSpace(countText))
        {
            operations = long.Parse(countText, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }

        return new ExerciserSettings(mode, seed, given, operations, testName);
    }

    public bool Direct => Mode == ExerciserMode.Direct;

    /// <summary>The open(2) flags of both exercised files.</summary>
    public int OpenFlags => O_RDWR | O_CLOEXEC | (Direct ? O_DIRECT : 0);

    public string ModeName => Direct ? "O_DIRECT" : "buffered";

    public string Reproduce =>
        $"{SeedVariable}={Seed} dotnet test tests/Platform.Linux.Tests -c Release --filter \"FullyQualifiedName~Exerciser.{TestName}\"";
}

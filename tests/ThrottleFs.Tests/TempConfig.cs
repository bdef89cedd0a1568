namespace ThrottleFs.Tests;

/// <summary>A config file in a fresh temporary directory, deleted afterwards.</summary>
internal sealed class TempConfig : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlefs-config-").FullName;

    public TempConfig(string json)
    {
        Path = System.IO.Path.Combine(_directory, "throttlefs.json");
        File.WriteAllText(Path, json);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// A name in a backing directory as the passthrough found it: the spelling the store has for it (the name asked for
/// when nothing is there yet), its full path, and the status .NET read of what is there, a symbolic link not
/// followed (read once, on first need, then kept).
/// </summary>
internal readonly record struct BackingEntry(string Spelling, string Path, FileSystemInfo Info)
{
    /// <summary>What is there, as <see cref="BackingAttributes.TypeOf"/> says; 0 for nothing.</summary>
    public uint Type => BackingAttributes.TypeOf(Info);
}

namespace ThrottleFs.Configuration;

/// <summary>
/// A configuration (file, environment, command line or control-file change) was refused as a whole. Each entry of
/// <see cref="Errors"/> names where the problem is (file and key, or section) and why.
/// </summary>
internal sealed class ConfigException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public ConfigException(IReadOnlyList<string> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for one problem.</summary>
    public ConfigException(string error)
        : this([error])
    {
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}

namespace ThrottleFs.Configuration;

/// <summary>
/// A libvirt domain could not be turned into a ThrottleFs config. <see cref="Errors"/> has one sentence per problem,
/// each naming the disk (by its <c>&lt;target dev&gt;</c>) and the element at fault.
/// </summary>
internal sealed class LibvirtImportException : Exception
{
    /// <summary>Creates the exception from the problems found and the warnings gathered before them.</summary>
    public LibvirtImportException(IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>Creates the exception for a single problem.</summary>
    public LibvirtImportException(string error)
        : this([error], [])
    {
    }

    /// <summary>Every problem found, in the domain's order.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>
    /// Warnings gathered before the conversion failed. They often say why it failed: when every throttled disk was
    /// skipped, the warnings name each disk and the reason.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }
}

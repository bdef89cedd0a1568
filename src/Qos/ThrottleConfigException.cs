namespace ThrottleFs.Qos;

/// <summary>A limit SPEC or config was refused. <see cref="Errors"/> has one sentence per problem, each naming its key.</summary>
public sealed class ThrottleConfigException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public ThrottleConfigException(IReadOnlyList<string> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for a single problem.</summary>
    public ThrottleConfigException(string error)
        : this([error])
    {
    }

    /// <summary>Every problem found, in the order they were checked.</summary>
    public IReadOnlyList<string> Errors { get; }
}

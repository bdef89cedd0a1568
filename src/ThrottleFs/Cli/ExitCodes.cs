namespace ThrottleFs.Cli;

/// <summary>The process exit codes, as documented in the README.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Something the user can fix went wrong at run time (missing source, busy mount point, ...).</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong (unknown option, bad SPEC).</summary>
    public const int Usage = 2;
}

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>One line of a <see cref="PosixSession"/> transcript: the call, and what came of it.</summary>
internal sealed record PosixStep(string Call, string Outcome);

using System.Diagnostics;

namespace ThrottleFs.Platform.Linux.Tests.Mounts;

/// <summary>Runs a program to completion and captures what it printed.</summary>
internal static class Tool
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Error}";
    }

    public static Result Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in time");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    public static Result Run(string program, params string[] arguments) => Run(program, (IEnumerable<string>)arguments);

    /// <summary>The throttlefs command as built next to the tests (dotnet throttlefs.dll ...).</summary>
    public static Result ThrottleFs(params string[] arguments) =>
        Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "throttlefs.dll"), .. arguments], TimeSpan.FromSeconds(60));

    /// <summary>Whether something is mounted exactly at <paramref name="path"/>.</summary>
    public static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } fields && fields[4] == path);
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ThrottleFs.Tests.Cluster;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1 and a free port, without persistence, for one test class. It can be stopped
/// and started again on the same port; a restart loses every key, as a Redis without persistence does.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private Process? _process;

    public RedisServer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Start();
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>This server, started again if a test stopped it.</summary>
    public RedisServer Running()
    {
        if (!IsRunning)
        {
            Start();
        }

        return this;
    }

    public void Start()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: apt-get install redis-server (.ci/run does)", e);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start with code {_process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var reply = new byte[7];
                if (stream.Read(reply) > 0 && reply[0] == (byte)'+')
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            Thread.Sleep(20);
        }

        throw new InvalidOperationException($"redis-server did not answer on port {Port} within 10 s");
    }

    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}

using System.Net;
using System.Text;

namespace ThrottleFs.Statistics;

/// <summary>
/// <c>GET /metrics</c> over HTTP for Prometheus to scrape: the text of <c>.throttlefs/metrics</c>, rendered afresh for each
/// request. Our own renderer (<see cref="PrometheusFormat"/>) over .NET's HttpListener, rather than prometheus-net: its
/// counters and gauges would hold a second copy of statistics the throttle already keeps, updated before every scrape,
/// and it brings ten assemblies (dependency injection, logging, options, an HTTP client factory) for a daemon that needs
/// one page.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<MountStatistics> _statistics;
    private readonly Task _serving;

    private MetricsEndpoint(string prefix, Func<MountStatistics> statistics)
    {
        _statistics = statistics;
        _listener.Prefixes.Add(prefix);
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>Where it listens, as given: <c>127.0.0.1:9101</c>.</summary>
    public string Address { get; private init; } = "";

    /// <summary>Listens on <paramref name="address"/> (<c>HOST:PORT</c>, or <c>PORT</c> alone for loopback).</summary>
    /// <exception cref="IOException">The address is in use or cannot be listened on; the message says which and what to do.</exception>
    public static MetricsEndpoint Start(string address, Func<MountStatistics> statistics)
    {
        var (host, port) = Parse(address);
        try
        {
            return new MetricsEndpoint($"http://{host}:{port}/", statistics) { Address = address };
        }
        catch (HttpListenerException e)
        {
            var reason = e.ErrorCode is 98 or 48 or 10048 || e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase)
                ? "the port is in use; choose another (metrics-listen)"
                : e.Message;
            throw new IOException($"metrics-listen {address}: cannot listen: {reason}", e);
        }
    }

    /// <summary><c>HOST:PORT</c> or <c>PORT</c>, as HttpListener writes the host (<c>+</c> for every address).</summary>
    /// <exception cref="FormatException">Not an address.</exception>
    public static (string Host, int Port) Parse(string address)
    {
        var colon = address.LastIndexOf(':');
        var (host, port) = colon < 0 ? ("127.0.0.1", address) : (address[..colon], address[(colon + 1)..]);
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw new FormatException($"'{address}' is not HOST:PORT (write e.g. 127.0.0.1:9101, 0.0.0.0:9101 for every address, or 9101 for loopback)");
        }

        host = host is "" or "localhost" ? "127.0.0.1" : host is "0.0.0.0" or "*" or "[::]" ? "+" : host;
        return (host, number);
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed
            }

            try
            {
                Answer(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The scraper went away mid-answer.
            }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.HttpMethod is not ("GET" or "HEAD") || context.Request.Url?.AbsolutePath != "/metrics")
        {
            response.StatusCode = 404;
            var hint = Encoding.UTF8.GetBytes("ThrottleFs serves GET /metrics here.\n");
            response.OutputStream.Write(hint);
            return;
        }

        var body = Encoding.UTF8.GetBytes(PrometheusFormat.Render(_statistics()));
        response.ContentType = PrometheusFormat.ContentType;
        response.ContentLength64 = body.Length;
        if (context.Request.HttpMethod == "GET")
        {
            response.OutputStream.Write(body);
        }
    }
}

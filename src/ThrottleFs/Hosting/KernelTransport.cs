namespace ThrottleFs.Hosting;

/// <summary>How requests travel between the kernel and the daemon (Linux; Dokan has one way).</summary>
public enum KernelTransport
{
    /// <summary>io_uring queues when the kernel offers them, otherwise /dev/fuse.</summary>
    Auto,

    /// <summary>One io_uring queue per CPU (Linux 6.14 or later, with the fuse module's enable_uring on); /dev/fuse if refused.</summary>
    Uring,

    /// <summary>read() and write() on /dev/fuse.</summary>
    Dev,
}

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>Workspaces for reader threads and waiting requests. Keeps a bounded number idle; the rest are freed.</summary>
internal sealed class FuseWorkspacePool(int maxWrite, int maxIdle = 64) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<FuseWorkspace> _idle = new();

    public FuseWorkspace Rent()
    {
        lock (_lock)
        {
            if (_idle.TryPop(out var workspace))
            {
                return workspace;
            }
        }

        return new FuseWorkspace(maxWrite);
    }

    public void Return(FuseWorkspace workspace)
    {
        workspace.Reset();
        lock (_lock)
        {
            if (_idle.Count < maxIdle)
            {
                _idle.Push(workspace);
                return;
            }
        }

        workspace.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            while (_idle.TryPop(out var workspace))
            {
                workspace.Dispose();
            }
        }
    }
}

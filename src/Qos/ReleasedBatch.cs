namespace ThrottleFs.Qos;

/// <summary>
/// Requests a group let go of while holding its lock, to be moved on once the lock is dropped: a request
/// continues into the next layer of its chain, whose lock must not be taken inside this one.
/// </summary>
internal struct ReleasedBatch
{
    private WaitingRequest? _head;
    private WaitingRequest? _tail;

    public void Add(WaitingRequest request)
    {
        request.NextReleased = null;
        if (_tail is null)
        {
            _head = request;
        }
        else
        {
            _tail.NextReleased = request;
        }

        _tail = request;
    }

    /// <summary>Moves every request on to the next layer of its chain, in release order.</summary>
    public readonly void ContinueAll()
    {
        for (var request = _head; request is not null;)
        {
            // Once continued, a request may complete and be reused at once: read the link first.
            var next = request.NextReleased;
            request.NextReleased = null;
            request.Continue();
            request = next;
        }
    }

    /// <summary>Completes every request with <paramref name="error"/>.</summary>
    public readonly void FailAll(Exception error)
    {
        for (var request = _head; request is not null;)
        {
            var next = request.NextReleased;
            request.NextReleased = null;
            request.Fail(error);
            request = next;
        }
    }
}

namespace ThrottleFs.Qos;

/// <summary>
/// A FIFO of waiting requests, linked through the requests themselves so queueing allocates nothing and a
/// cancelled request leaves from the middle in O(1). Guarded by the owning group's lock.
/// </summary>
internal sealed class RequestQueue
{
    public WaitingRequest? Head { get; private set; }

    public int Count { get; private set; }

    private WaitingRequest? _tail;

    public void Enqueue(WaitingRequest request)
    {
        request.Previous = _tail;
        request.Next = null;
        if (_tail is null)
        {
            Head = request;
        }
        else
        {
            _tail.Next = request;
        }

        _tail = request;
        Count++;
    }

    public void Remove(WaitingRequest request)
    {
        if (request.Previous is null)
        {
            Head = request.Next;
        }
        else
        {
            request.Previous.Next = request.Next;
        }

        if (request.Next is null)
        {
            _tail = request.Previous;
        }
        else
        {
            request.Next.Previous = request.Previous;
        }

        request.Next = request.Previous = null;
        Count--;
    }
}

namespace LiverFlow.Messaging.Outbox;

/// <summary>
/// Wakes the relay right after a transaction that wrote outbox rows commits, so delivery normally
/// takes milliseconds; the relay's polling interval only matters for rows left behind by a crash.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // At most one pending wake-up: several commits before the relay runs need only one pass.
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread released first; one wake-up is enough.
            }
        }
    }

    /// <summary>True when notified, false when the timeout passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

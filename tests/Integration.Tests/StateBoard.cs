using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace LiverFlow.Integration.Tests;

/// <summary>
/// Watches many studies with one query every 100 ms, so fifty concurrent scripts do not need fifty
/// database connections of their own.
/// </summary>
public sealed class StateBoard : IDisposable
{
    private readonly ConcurrentDictionary<Guid, string> _states = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public StateBoard(WorkflowDatabase database, IReadOnlyList<Guid> ids)
    {
        ArgumentNullException.ThrowIfNull(database);
        var idList = ids.ToList();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await using (var db = database.NewContext())
                {
                    var rows = await db.Studies.AsNoTracking().Where(s => idList.Contains(s.CorrelationId))
                        .Select(s => new { s.CorrelationId, s.CurrentState }).ToListAsync();
                    foreach (var row in rows)
                    {
                        _states[row.CorrelationId] = row.CurrentState;
                    }
                }
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public async Task WaitForAsync(Guid id, string state, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!(_states.TryGetValue(id, out var current) && current == state))
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Study {id} did not reach {state} within {timeout}; it is {(_states.TryGetValue(id, out var s) ? s : "absent")}.");
            }
            if (_loop.IsFaulted)
            {
                await _loop;
            }
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop's last query was cancelled with the board.
        }
        _stop.Dispose();
    }
}

using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LiverFlow.Workflow.Timeouts;

/// <summary>
/// Finds studies stuck in a stage and enqueues <see cref="Contracts.StageTimedOut"/> for each through
/// the outbox; the saga then moves them to NeedsAttention. Running it twice is harmless: the saga
/// accepts a timeout only for the stage visit it measured.
/// </summary>
public sealed partial class StageTimeoutSweep(
    WorkflowDbContext db,
    IOutbox outbox,
    OutboxSignal signal,
    IOptions<StageTimeoutOptions> options,
    TimeProvider clock,
    ILogger<StageTimeoutSweep> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var limits = options.Value.Limits;
        if (limits.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var shortest = limits.Values.Min();
        var activeStates = WorkflowStates.StageAwaited.Keys.ToList();
        var candidates = await db.Studies.AsNoTracking()
            .Where(s => activeStates.Contains(s.CurrentState) && s.StageStartedAt < now - shortest)
            .OrderBy(s => s.StageStartedAt)
            .Take(options.Value.MaxStudiesPerSweep)
            .Select(s => new StudyProgress(s.CorrelationId, s.CurrentState, s.StageStartedAt))
            .ToListAsync(cancellationToken);

        var overdue = OverdueStages.Find(candidates, limits, now);
        if (overdue.Count == 0)
        {
            return 0;
        }
        foreach (var timeout in overdue)
        {
            outbox.Enqueue(timeout, timeout.CorrelationId);
            LogOverdue(logger, timeout.CorrelationId, timeout.Stage, timeout.StageStartedAt, timeout.Limit);
        }
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return overdue.Count;
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Study {CorrelationId} has been in {Stage} since {StageStartedAt:u}, longer than {Limit}; timing it out")]
    private static partial void LogOverdue(ILogger logger, Guid correlationId, string stage, DateTimeOffset stageStartedAt, TimeSpan limit);
}

/// <summary>The Hangfire job's entry point (Hangfire resolves it in a DI scope per run).</summary>
public sealed class StageTimeoutJob(StageTimeoutSweep sweep)
{
    public const string RecurringJobId = "workflow-stage-timeouts";

    public Task RunAsync(CancellationToken cancellationToken) => sweep.RunAsync(cancellationToken);
}

/// <summary>The in-process alternative to Hangfire (<c>Workflow:Timeouts:Scheduler=Polling</c>).</summary>
public sealed partial class PollingStageTimeoutService(IServiceScopeFactory scopes, IOptions<StageTimeoutOptions> options, ILogger<PollingStageTimeoutService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollingInterval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<StageTimeoutSweep>().RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Stage timeout sweep failed; trying again on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

using LiverFlow.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Messaging.Inbox;

/// <summary>
/// Base for a stage's consumer that changes its own schema and publishes what follows: the inbox row,
/// the change and the outgoing events (through <see cref="IOutbox"/>) commit in one transaction, so a
/// redelivered message is acknowledged without effect and a crash never loses the follow-up events.
/// </summary>
public abstract partial class IdempotentConsumer<TMessage, TDbContext>(TDbContext dbContext, OutboxSignal signal, TimeProvider clock, ILogger logger)
    : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : DbContext, IMessagingDbContext
{
    /// <summary>The name under which this consumer's applied messages are recorded (stable across renames of the class).</summary>
    protected virtual string ConsumerName => GetType().Name;

    protected TDbContext Db => dbContext;

    protected TimeProvider Clock => clock;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a MessageId; it cannot be deduplicated.");

        // A retry reuses this scope's DbContext: start from a clean change tracker.
        dbContext.ChangeTracker.Clear();
        await using var transaction = await dbContext.Database.BeginTransactionAsync(context.CancellationToken);
        if (!await Inbox.TryRecordAsync(dbContext, messageId, ConsumerName, typeof(TMessage).Name, clock.GetUtcNow(), context.CancellationToken))
        {
            LogDuplicate(logger, messageId, typeof(TMessage).Name, ConsumerName);
            await transaction.RollbackAsync(context.CancellationToken);
            return;
        }
        await HandleAsync(context);
        var wroteOutbox = dbContext.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        await dbContext.SaveChangesAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        if (wroteOutbox)
        {
            signal.Notify();
        }
    }

    /// <summary>Apply the message to <see cref="Db"/> and enqueue follow-up events; do not call SaveChanges.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Message {MessageId} ({MessageType}) already applied by {Consumer}; acknowledged without effect")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string messageType, string consumer);
}

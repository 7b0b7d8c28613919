using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace LiverFlow.Messaging.Outbox;

/// <summary>
/// Writes events to the owning service's outbox table inside the caller's unit of work: the rows
/// commit with the change or not at all, and the relay publishes them afterwards.
/// </summary>
public interface IOutbox
{
    void Enqueue<TMessage>(TMessage message, Guid? correlationId)
        where TMessage : class;
}

/// <summary>The EF Core outbox of one service's DbContext (scoped: shares the consumer's DbContext).</summary>
public sealed class EntityFrameworkOutbox<TDbContext>(TDbContext dbContext, MessageTypeRegistry registry, TimeProvider clock) : IOutbox
    where TDbContext : DbContext, IMessagingDbContext
{
    public void Enqueue<TMessage>(TMessage message, Guid? correlationId)
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = message.GetType();
        if (!registry.IsRegistered(type))
        {
            throw new ArgumentException($"{type.FullName} is not a registered contract; the relay could not publish it.", nameof(message));
        }
        dbContext.OutboxMessages.Add(new OutboxMessage
        {
            // Time-ordered ids keep the primary-key index append-only.
            Id = Guid.CreateVersion7(),
            MessageType = MessageTypeRegistry.NameOf(type),
            Body = JsonSerializer.Serialize(message, type, MessageTypeRegistry.BodyJson),
            CorrelationId = correlationId,
            CreatedAt = clock.GetUtcNow(),
        });
    }
}

using LiverFlow.Messaging.Inbox;
using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace LiverFlow.Messaging;

/// <summary>
/// A service's DbContext that also holds its outbox and inbox tables, so that a change, the events
/// it causes and the record of the message that caused it commit in one transaction.
/// Map the tables with <see cref="MessagingModelBuilderExtensions.MapInboxAndOutbox"/>.
/// </summary>
public interface IMessagingDbContext
{
    DbSet<OutboxMessage> OutboxMessages { get; }

    DbSet<InboxMessage> InboxMessages { get; }
}

public static class MessagingModelBuilderExtensions
{
    public const string OutboxTable = "outbox_messages";
    public const string InboxTable = "inbox_messages";

    /// <summary>
    /// Maps <c>outbox_messages</c> and <c>inbox_messages</c> into the owning service's schema. Names are
    /// set explicitly (not left to a naming convention) because the relay and the inbox filter
    /// address them in hand-written SQL.
    /// </summary>
    public static ModelBuilder MapInboxAndOutbox(this ModelBuilder modelBuilder, string schema)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable(OutboxTable, schema);
            e.HasKey(x => x.Id).HasName("pk_outbox_messages");
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.MessageType).HasColumnName("message_type").HasMaxLength(256).IsRequired();
            e.Property(x => x.Body).HasColumnName("body").HasColumnType("jsonb").IsRequired();
            e.Property(x => x.CorrelationId).HasColumnName("correlation_id");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.DispatchedAt).HasColumnName("dispatched_at");
            e.Property(x => x.Attempts).HasColumnName("attempts");
            e.Property(x => x.LastError).HasColumnName("last_error").HasMaxLength(2000);
            // The relay's hot path: undelivered rows in creation order.
            e.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_outbox_messages_undelivered").HasFilter("dispatched_at IS NULL");
        });

        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable(InboxTable, schema);
            e.HasKey(x => new { x.MessageId, x.Consumer }).HasName("pk_inbox_messages");
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.Consumer).HasColumnName("consumer").HasMaxLength(200);
            e.Property(x => x.MessageType).HasColumnName("message_type").HasMaxLength(256).IsRequired();
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.HasIndex(x => x.ReceivedAt).HasDatabaseName("ix_inbox_messages_received_at");
        });
        return modelBuilder;
    }
}

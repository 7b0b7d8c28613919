using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace LiverFlow.Messaging.Inbox;

/// <summary>Records applied messages inside the consumer's open transaction.</summary>
public static class Inbox
{
    /// <summary>
    /// Inserts the (message id, consumer) row in the current transaction. False means the message was
    /// already applied: a concurrent copy waits on the row lock and then sees the committed row, and a
    /// rolled-back attempt leaves no row, so exactly one application commits.
    /// </summary>
    public static async Task<bool> TryRecordAsync(DbContext db, Guid messageId, string consumer, string messageType, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The inbox row must be written in the consumer's transaction; begin one first.");
        }
        var table = OutboxSql.QualifiedTable<InboxMessage>(db);
#pragma warning disable EF1002 // Only the table name is interpolated, and it comes from the EF model; values are parameters.
        var inserted = await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO {table} (message_id, consumer, message_type, received_at) VALUES ({{0}}, {{1}}, {{2}}, {{3}}) ON CONFLICT DO NOTHING",
            [messageId, consumer, messageType, receivedAt],
            cancellationToken);
#pragma warning restore EF1002
        return inserted == 1;
    }
}

using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LiverFlow.Messaging.Outbox;

public sealed class OutboxRelayOptions
{
    public const string SectionName = "Messaging:Outbox";

    /// <summary>How often the relay looks for rows nobody signalled (left by a crash or a broker outage).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Delivered rows older than this are deleted; the inbox keeps its own history.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan KeepDelivered { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Publishes committed outbox rows. Several relays (replicas of one service) can run at once: each
/// takes rows with <c>FOR UPDATE SKIP LOCKED</c> and holds the lock until the broker confirmed and the
/// row is marked, so a row is published by one relay at a time. A crash after publish and before the
/// mark publishes the row again with the same MessageId, which consumers' inboxes discard.
/// </summary>
public sealed partial class OutboxRelay<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IBus bus,
    MessageTypeRegistry registry,
    OutboxSignal signal,
    IOptions<OutboxRelayOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext, IMessagingDbContext
{
    private readonly OutboxRelayOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, typeof(TDbContext).Name, _options.PollInterval);
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            int published;
            try
            {
                published = await RelayBatchAsync(stoppingToken);
                if (clock.GetUtcNow() - lastCleanup > TimeSpan.FromHours(1))
                {
                    await DeleteDeliveredAsync(stoppingToken);
                    lastCleanup = clock.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Database unreachable: keep the host alive and try again on the next tick.
                LogRelayFailed(logger, ex);
                published = 0;
            }

            // A full batch means more may be waiting: go again at once.
            if (published >= _options.BatchSize)
            {
                continue;
            }
            try
            {
                await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Publishes one batch of undelivered rows; returns how many were delivered.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var table = OutboxSql.QualifiedTable<OutboxMessage>(db);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
#pragma warning disable EF1002 // The table name comes from the EF model and the batch size is an int from validated options.
        var rows = await db.OutboxMessages
            .FromSqlRaw($"SELECT * FROM {table} WHERE dispatched_at IS NULL ORDER BY created_at LIMIT {_options.BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
#pragma warning restore EF1002
        if (rows.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        var delivered = 0;
        foreach (var row in rows)
        {
            row.Attempts++;
            object message;
            try
            {
                message = registry.Deserialize(row.MessageType, row.Body);
            }
            catch (Exception ex) when (ex is UnknownMessageTypeException or System.Text.Json.JsonException or NotSupportedException)
            {
                // A row that can never be published must not block the ones behind it.
                row.LastError = Truncate($"undeliverable: {ex.Message}");
                row.DispatchedAt = DateTimeOffset.MaxValue;
                LogUndeliverable(logger, row.Id, row.MessageType, ex);
                continue;
            }
            try
            {
                var messageId = row.Id;
                var correlationId = row.CorrelationId;
                await bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(ctx =>
                {
                    ctx.MessageId = messageId;
                    ctx.CorrelationId = correlationId;
                }), cancellationToken);
                row.DispatchedAt = clock.GetUtcNow();
                row.LastError = null;
                delivered++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Broker down or refusing: keep order, record why, and leave the rest for the next pass.
                row.LastError = Truncate(ex.Message);
                LogPublishFailed(logger, row.Id, row.MessageType, row.Attempts, ex);
                break;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (delivered > 0)
        {
            LogDelivered(logger, delivered);
        }
        return delivered;
    }

    private async Task DeleteDeliveredAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var cutoff = clock.GetUtcNow() - _options.KeepDelivered;
        await db.OutboxMessages
            .Where(m => m.DispatchedAt != null && m.DispatchedAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken);
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000];

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Outbox relay for {DbContext} started (poll every {PollInterval})")]
    private static partial void LogStarted(ILogger logger, string dbContext, TimeSpan pollInterval);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Outbox relay published {Count} message(s)")]
    private static partial void LogDelivered(ILogger logger, int count);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Outbox message {MessageId} ({MessageType}) not published on attempt {Attempt}; will retry")]
    private static partial void LogPublishFailed(ILogger logger, Guid messageId, string messageType, int attempt, Exception exception);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Outbox message {MessageId} names {MessageType}, which cannot be published; set aside")]
    private static partial void LogUndeliverable(ILogger logger, Guid messageId, string messageType, Exception exception);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Outbox relay pass failed; retrying on the next tick")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}

internal static class OutboxSql
{
    /// <summary>"schema"."table" of an entity, from the EF model, for hand-written SQL.</summary>
    public static string QualifiedTable<TEntity>(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{db.GetType().Name} does not map {typeof(TEntity).Name}; call modelBuilder.MapInboxAndOutbox(schema).");
        var schema = entity.GetSchema();
        var table = entity.GetTableName()!;
        return schema is null ? Quote(table) : $"{Quote(schema)}.{Quote(table)}";
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

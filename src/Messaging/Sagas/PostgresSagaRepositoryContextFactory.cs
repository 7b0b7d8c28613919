using System.Data;
using LiverFlow.Messaging.Outbox;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Messaging.Sagas;

/// <summary>
/// MassTransit's saga repository contract over EF Core and PostgreSQL (MassTransit.EntityFrameworkCore
/// is not available to us). One message is one READ COMMITTED transaction on the scope's DbContext:
/// the inbox row for (message id, saga), the saga row locked with <c>SELECT … FOR UPDATE</c>, the saga's
/// changes and any outbox rows its activities wrote. Concurrent messages for one study queue on the row
/// lock; two first messages racing to create it end in a unique violation (23505) that the endpoint's
/// retry turns into a normal load.
/// </summary>
public sealed partial class PostgresSagaRepositoryContextFactory<TSaga, TDbContext>(
    TDbContext dbContext,
    ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory,
    OutboxSignal signal,
    TimeProvider clock,
    ILogger<PostgresSagaRepositoryContextFactory<TSaga, TDbContext>> logger) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
    where TDbContext : DbContext, IMessagingDbContext
{
    /// <summary>The inbox's consumer name for this saga.</summary>
    public static string ConsumerName => typeof(TSaga).Name;

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Add("persistence", "postgresql-efcore");
        context.Add("table", SagaRowLock.For<TSaga>(dbContext).Table);
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        return InTransaction(context, async transaction =>
        {
            var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(dbContext, transaction, context, consumeContextFactory);
            await next.Send(repositoryContext);
        });
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(query);
        return InTransaction(context, async transaction =>
        {
            var ids = await dbContext.Set<TSaga>().AsNoTracking()
                .Where(query.FilterExpression)
                .Select(x => x.CorrelationId)
                .OrderBy(x => x) // a fixed lock order: two queries over overlapping sets cannot deadlock
                .ToListAsync(context.CancellationToken);
            var rowLock = SagaRowLock.For<TSaga>(dbContext);
            var instances = new List<TSaga>(ids.Count);
            foreach (var id in ids)
            {
                // Re-check under the lock: the row may have changed between the filter and the lock.
                var instance = await rowLock.LoadForUpdate<TSaga>(dbContext, id, context.CancellationToken);
                if (instance is not null && query.GetFilter()(instance))
                {
                    instances.Add(instance);
                }
            }
            var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(dbContext, transaction, context, consumeContextFactory);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
        });
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new PostgresSagaReadContext<TSaga>(dbContext, cancellationToken));
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new PostgresSagaReadContext<TSaga>(dbContext, cancellationToken));
    }

    private async Task InTransaction<T>(ConsumeContext<T> context, Func<IDbContextTransaction, Task> work)
        where T : class
    {
        // The endpoint's retry calls us again in the same DI scope: drop whatever the failed attempt tracked.
        dbContext.ChangeTracker.Clear();
        var cancellationToken = context.CancellationToken;
        await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        try
        {
            if (context.MessageId is { } messageId
                && !await Inbox.Inbox.TryRecordAsync(dbContext, messageId, ConsumerName, typeof(T).Name, clock.GetUtcNow(), cancellationToken))
            {
                LogDuplicate(logger, messageId, typeof(T).Name, context.CorrelationId);
                await transaction.RollbackAsync(cancellationToken);
                return;
            }

            await work(transaction);

            // The tracker was cleared when this message began: any outbox row in it was written by this message.
            var outboxRows = dbContext.ChangeTracker.Entries<OutboxMessage>().ToList();
            if (outboxRows.Any(e => e.State == EntityState.Added))
            {
                // Events enqueued by an activity whose saga was then left unchanged still belong to this message.
                await dbContext.SaveChangesAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            if (outboxRows.Count > 0)
            {
                signal.Notify();
            }
        }
        catch
        {
            await RollbackQuietly(transaction);
            throw;
        }
    }

    private static async Task RollbackQuietly(IDbContextTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException)
        {
            // The connection is already gone; PostgreSQL rolls the transaction back by itself.
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Message {MessageId} ({MessageType}) for study {CorrelationId} already applied to the saga; acknowledged without effect")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string messageType, Guid? correlationId);
}

/// <summary>The hand-written locking load of one saga row, built from the EF model once per saga type.</summary>
internal sealed class SagaRowLock
{
    private static readonly Dictionary<(Type, Type), SagaRowLock> Cache = [];
    private static readonly Lock CacheLock = new();

    private SagaRowLock(string table, string sql)
    {
        Table = table;
        Sql = sql;
    }

    public string Table { get; }

    public string Sql { get; }

    public static SagaRowLock For<TSaga>(DbContext db)
        where TSaga : class, ISaga
    {
        var key = (typeof(TSaga), db.GetType());
        lock (CacheLock)
        {
            if (Cache.TryGetValue(key, out var cached))
            {
                return cached;
            }
            var entity = db.Model.FindEntityType(typeof(TSaga))
                ?? throw new InvalidOperationException($"{db.GetType().Name} does not map saga {typeof(TSaga).Name}.");
            var tableName = entity.GetTableName()!;
            var schema = entity.GetSchema();
            var store = StoreObjectIdentifier.Table(tableName, schema);
            var column = entity.FindProperty(nameof(ISaga.CorrelationId))?.GetColumnName(store)
                ?? throw new InvalidOperationException($"Saga {typeof(TSaga).Name} has no mapped CorrelationId column.");
            var table = schema is null ? OutboxSql.Quote(tableName) : $"{OutboxSql.Quote(schema)}.{OutboxSql.Quote(tableName)}";
            var rowLock = new SagaRowLock(table, $"SELECT * FROM {table} WHERE {OutboxSql.Quote(column)} = {{0}} FOR UPDATE");
            Cache[key] = rowLock;
            return rowLock;
        }
    }

    public async Task<TSaga?> LoadForUpdate<TSaga>(DbContext db, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        var rows = await db.Set<TSaga>().FromSqlRaw(Sql, correlationId).AsTracking().ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }
}

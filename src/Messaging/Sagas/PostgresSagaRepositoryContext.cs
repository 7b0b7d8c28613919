using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace LiverFlow.Messaging.Sagas;

/// <summary>One message's view of the saga table, inside the transaction the factory opened.</summary>
public sealed class PostgresSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    private const string InsertSavepoint = "liverflow_saga_insert";
    private readonly DbContext _dbContext;
    private readonly IDbContextTransaction _transaction;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    private readonly SagaRowLock _rowLock;

    public PostgresSagaRepositoryContext(DbContext dbContext, IDbContextTransaction transaction, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DbContext, TSaga> factory)
        : base(consumeContext, dbContext)
    {
        _dbContext = dbContext;
        _transaction = transaction;
        _consumeContext = consumeContext;
        _factory = factory;
        _rowLock = SagaRowLock.For<TSaga>(dbContext);
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance)
        => _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        // PostgreSQL aborts the whole transaction on a failed statement; a savepoint keeps the
        // message's transaction usable when the row already exists.
        await _transaction.CreateSavepointAsync(InsertSavepoint, CancellationToken);
        var entry = _dbContext.Set<TSaga>().Add(instance);
        try
        {
            await _dbContext.SaveChangesAsync(CancellationToken);
            await _transaction.ReleaseSavepointAsync(InsertSavepoint, CancellationToken);
            return await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException ex) when (TransientDatabaseErrors.IsUniqueViolation(ex))
        {
            entry.State = EntityState.Detached;
            await _transaction.RollbackToSavepointAsync(InsertSavepoint, CancellationToken);
            return null;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        var instance = await _rowLock.LoadForUpdate<TSaga>(_dbContext, correlationId, CancellationToken);
        return instance is null
            ? null
            : await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _dbContext.Set<TSaga>().Add(context.Saga);
        await _dbContext.SaveChangesAsync(CancellationToken);
    }

    public Task Update(SagaConsumeContext<TSaga> context) => _dbContext.SaveChangesAsync(CancellationToken);

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _dbContext.Set<TSaga>().Remove(context.Saga);
        await _dbContext.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var entry in _dbContext.ChangeTracker.Entries<TSaga>().Where(e => e.Entity.CorrelationId == context.Saga.CorrelationId))
        {
            entry.State = entry.State == EntityState.Added ? EntityState.Detached : EntityState.Unchanged;
        }
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class
        => _factory.CreateSagaConsumeContext(_dbContext, consumeContext, instance, mode);
}

/// <summary>Read-only access (no lock, no tracking) for MassTransit's query and load repositories.</summary>
public sealed class PostgresSagaReadContext<TSaga>(DbContext dbContext, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public async Task<TSaga> Load(Guid correlationId)
        => (await dbContext.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ids = await dbContext.Set<TSaga>().AsNoTracking()
            .Where(query.FilterExpression)
            .Select(x => x.CorrelationId)
            .ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}

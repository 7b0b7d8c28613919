using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace LiverFlow.Messaging.Sagas;

public static class PostgresSagaRepositoryRegistrationExtensions
{
    /// <summary>
    /// Persists the saga in its service's PostgreSQL schema through <typeparamref name="TDbContext"/>
    /// (which must map the saga and, via <see cref="MessagingModelBuilderExtensions.MapInboxAndOutbox"/>,
    /// the inbox and outbox). Pair it with <see cref="SagaEndpointConfiguration.UseSagaConcurrencyRetry"/> on the saga endpoint.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> PostgresRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
        where TDbContext : DbContext, IMessagingDbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.Repository(repository =>
        {
            repository.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                PostgresSagaRepositoryContextFactory<TSaga, TDbContext>>();
            repository.RegisterLoadSagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga, TDbContext>>();
            repository.RegisterQuerySagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga, TDbContext>>();
        });
        return configurator;
    }
}

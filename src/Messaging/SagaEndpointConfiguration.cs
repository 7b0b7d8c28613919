using MassTransit;

namespace LiverFlow.Messaging;

public static class SagaEndpointConfiguration
{
    /// <summary>
    /// Retries a saga message that lost a race on its row (serialization failure, deadlock, duplicate
    /// insert of the first event, or an event that overtook the study's first event): the next attempt,
    /// in a fresh transaction, loads the winner's row.
    /// Then holds the saga's own publishes in memory until the transaction has committed, so a retried
    /// attempt never leaks the events of the one that failed. The order matters: retry outside, outbox inside.
    /// </summary>
    public static void UseSagaConcurrencyRetry(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context, int retryLimit = 10)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.UseMessageRetry(r =>
        {
            // A SagaException here is an event for a study whose first event is not committed yet
            // (a stage answered faster than the saga recorded the study): wait for the row.
            r.Handle<Exception>(e => TransientDatabaseErrors.IsTransient(e) || e is SagaException);
            // Short, jittered waits: the competing transaction is usually done within milliseconds.
            r.Exponential(retryLimit, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(40));
        });
        endpoint.UseInMemoryOutbox(context);
    }
}

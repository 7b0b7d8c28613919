using MassTransit;

namespace LiverFlow.Messaging;

/// <summary>
/// Stops a crash loop: a message whose consumer keeps taking the process down is redelivered by the
/// broker forever, because the process never lives long enough to fault it. RabbitMQ quorum queues
/// count deliveries in <c>x-delivery-count</c>; past the limit the message is faulted (into
/// <c>_error</c>, with a <c>Fault&lt;T&gt;</c> that the saga turns into Failed) before the consumer runs again.
/// </summary>
public sealed class DeliveryLimitFilter<TMessage>(Microsoft.Extensions.Options.IOptions<MessagingOptions> options) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public const string DeliveryCountHeader = "x-delivery-count";

    public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var deliveries = PriorDeliveries(context.ReceiveContext.TransportHeaders);
        if (deliveries >= options.Value.DeliveryLimit)
        {
            throw new DeliveryLimitExceededException(
                $"{typeof(TMessage).Name} {context.MessageId} was delivered {deliveries + 1} times (limit {options.Value.DeliveryLimit}); " +
                "its consumer keeps failing without completing. Moved to the error queue.");
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context?.CreateFilterScope("deliveryLimit");

    /// <summary>The broker's count of earlier deliveries (absent on a first delivery and on classic queues).</summary>
    public static long PriorDeliveries(Headers headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.TryGetHeader(DeliveryCountHeader, out var value) ? ParseDeliveryCount(value) : 0;
    }

    /// <summary>The AMQP client hands the header over as whichever integer type the broker encoded.</summary>
    public static long ParseDeliveryCount(object? value)
    {
        return value switch
        {
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            string text when long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => 0,
        };
    }
}

public sealed class DeliveryLimitExceededException(string message) : Exception(message);

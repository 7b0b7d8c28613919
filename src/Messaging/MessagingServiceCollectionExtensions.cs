using System.Text.Json;
using LiverFlow.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LiverFlow.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ with LiverFlow's failure policy: exponential retry, then the message and
    /// a <c>Fault&lt;T&gt;</c> go to the queue's <c>_error</c> queue; messages that can never succeed skip the
    /// retries; a message redelivered more than <see cref="MessagingOptions.DeliveryLimit"/> times (its
    /// consumer keeps crashing the process) is faulted instead of looping.
    /// </summary>
    public static IServiceCollection AddLiverFlowMessaging(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator> configureConsumers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configureConsumers);

        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MessagingOptions>().Bind(configuration.GetSection(MessagingOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(MessageTypeRegistry.ForContracts());
        services.TryAddSingleton<OutboxSignal>();

        var messaging = configuration.GetSection(MessagingOptions.SectionName).Get<MessagingOptions>() ?? new MessagingOptions();
        services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(string.IsNullOrEmpty(messaging.EndpointPrefix) ? null : messaging.EndpointPrefix, false));
            configureConsumers(x);
            if (messaging.QuorumQueues)
            {
                x.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        rabbit.SetQuorumQueue();
                    }
                });
            }
            x.UsingRabbitMq((context, cfg) =>
            {
                var rabbit = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                });
                cfg.PrefetchCount = options.PrefetchCount;
                if (!string.IsNullOrEmpty(options.TopologyPrefix))
                {
                    cfg.MessageTopology.SetEntityNameFormatter(
                        new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, options.TopologyPrefix + "."));
                }
                cfg.UseConsumeFilter(typeof(StudyLogScopeFilter<>), context);
                cfg.UseConsumeFilter(typeof(DeliveryLimitFilter<>), context);
                cfg.UseMessageRetry(r =>
                {
                    r.Ignore<DeliveryLimitExceededException>();
                    foreach (var permanent in PermanentFailures)
                    {
                        r.Ignore(permanent);
                    }
                    r.Exponential(options.RetryLimit, options.RetryMinInterval, options.RetryMaxInterval,
                        TimeSpan.FromTicks(Math.Max(1, (options.RetryMaxInterval - options.RetryMinInterval).Ticks / Math.Max(1, options.RetryLimit))));
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>Failures that say the message itself is wrong: retrying cannot help, so it goes straight to <c>_error</c>.</summary>
    public static readonly Type[] PermanentFailures =
    [
        typeof(ArgumentException),
        typeof(FormatException),
        typeof(JsonException),
        typeof(UnknownMessageTypeException),
        typeof(PoisonMessageException),
    ];

    /// <summary>
    /// Adds the relay that publishes <typeparamref name="TDbContext"/>'s outbox, and the scoped
    /// <see cref="IOutbox"/> that writes to it.
    /// </summary>
    public static IServiceCollection AddOutboxRelay<TDbContext>(this IServiceCollection services, IConfiguration configuration)
        where TDbContext : DbContext, IMessagingDbContext
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OutboxRelayOptions>().Bind(configuration.GetSection(OutboxRelayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(MessageTypeRegistry.ForContracts());
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddScoped<IOutbox, EntityFrameworkOutbox<TDbContext>>();
        services.AddHostedService<OutboxRelay<TDbContext>>();
        return services;
    }
}

/// <summary>Thrown by a consumer for a message that is well-formed JSON but can never be processed.</summary>
public sealed class PoisonMessageException(string message) : Exception(message);

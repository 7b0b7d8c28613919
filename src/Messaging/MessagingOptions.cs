using System.ComponentModel.DataAnnotations;

namespace LiverFlow.Messaging;

/// <summary>Where the broker is. Credentials come from configuration or the environment only (<c>RabbitMq__Password</c>).</summary>
public sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    [Required]
    public string VirtualHost { get; set; } = "liverflow";

    [Required(ErrorMessage = "RabbitMq:Username is not set (environment RabbitMq__Username).")]
    public string Username { get; set; } = "";

    [Required(ErrorMessage = "RabbitMq:Password is not set (environment RabbitMq__Password).")]
    public string Password { get; set; } = "";
}

/// <summary>How consumers fail: back-off, limits and queue naming.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>In-process retries of a failing message before it is faulted into its <c>_error</c> queue.</summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the broker may hand out the same message (a worker that crashes on it each time) before
    /// it goes to the <c>_error</c> queue. Counted by RabbitMQ quorum queues (<c>x-delivery-count</c>).
    /// </summary>
    [Range(1, 100)]
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>Declare receive queues as quorum queues (durable, replicated, delivery-counted).</summary>
    public bool QuorumQueues { get; set; } = true;

    [Range(1, 1000)]
    public int PrefetchCount { get; set; } = 32;

    /// <summary>
    /// Prefix for every message exchange (<c>{prefix}.LiverFlow.Contracts:StudyReceived</c>). Empty in a
    /// deployment; set per run by tests so that runs sharing a vhost never see each other's events.
    /// </summary>
    [RegularExpression("^[a-z0-9-]*$", ErrorMessage = "Messaging:TopologyPrefix may hold lower-case letters, digits and '-' only.")]
    public string TopologyPrefix { get; set; } = "";

    /// <summary>Prefix for every queue name; lets several deployments (or test runs) share one vhost.</summary>
    [RegularExpression("^[a-z0-9-]*$", ErrorMessage = "Messaging:EndpointPrefix may hold lower-case letters, digits and '-' only.")]
    public string EndpointPrefix { get; set; } = "";
}

using System.Security.Cryptography;

namespace LiverFlow.Integration.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServicesCollection
{
    /// <summary>One Workflow host at a time: the hosts of different classes share the vhost's message exchanges.</summary>
    public const string Name = "Real PostgreSQL and RabbitMQ";
}

/// <summary>
/// A running system for one test class: a fresh database, the real Workflow host as a child process
/// (it migrates that database at start-up), and the neighbouring stages on the test side of the broker.
/// Queue names carry a per-run prefix, so reruns and parallel runs on one broker do not share queues.
/// </summary>
public class WorkflowSystem : IAsyncLifetime
{
    public TestEnvironment Environment { get; } = TestEnvironment.FromEnvironment();

    public string RunPrefix { get; } = "it-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public WorkflowDatabase Database { get; private set; } = null!;

    public Neighbours Neighbours { get; private set; } = null!;

    public WorkflowHostProcess Host { get; private set; } = null!;

    public RabbitMqManagement Rabbit { get; private set; } = null!;

    /// <summary>Settings a class changes (e.g. short stage limits); the rest are the fast test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraHostSettings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xUnit does not dispose a fixture whose initialisation failed: clean up here.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        await Environment.EnsureReachableAsync();
        Rabbit = new RabbitMqManagement(Environment);
        Database = await WorkflowDatabase.CreateAsync(Environment, "liverflow_" + RunPrefix.Replace('-', '_'));
        Neighbours = await Neighbours.StartAsync(Environment, RunPrefix, RunPrefix + "-stages", Database.ConnectionString);

        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__liverflow"] = Database.HostConnectionString,
            ["RabbitMq__Host"] = Environment.RabbitHost,
            ["RabbitMq__Port"] = Environment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq__VirtualHost"] = Environment.RabbitVirtualHost,
            ["RabbitMq__Username"] = Environment.RabbitUser,
            ["RabbitMq__Password"] = Environment.RabbitPassword,
            ["Messaging__EndpointPrefix"] = RunPrefix + "-wf",
            ["Messaging__TopologyPrefix"] = RunPrefix,
            ["Messaging__RetryLimit"] = "2",
            ["Messaging__RetryMinInterval"] = "00:00:00.050",
            ["Messaging__RetryMaxInterval"] = "00:00:00.200",
            ["Messaging__Outbox__PollInterval"] = "00:00:00.500",
            ["Database__MigrateOnStartup"] = "true",
            ["Logging__LogLevel__Default"] = "Information",
        };
        foreach (var (key, value) in ExtraHostSettings)
        {
            settings[key] = value;
        }
        Host = new WorkflowHostProcess(settings);
        await Host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Neighbours is not null)
        {
            await Neighbours.DisposeAsync();
        }
        if (Rabbit is not null)
        {
            await Rabbit.DeleteByPrefixAsync(RunPrefix);
            Rabbit.Dispose();
        }
        if (Database is not null)
        {
            await Database.DropAsync();
        }
    }
}

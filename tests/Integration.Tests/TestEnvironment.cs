using System.Net.Sockets;
using Npgsql;

namespace LiverFlow.Integration.Tests;

/// <summary>
/// Where the real services are. Defaults match `./liverflow up`; CI or a developer overrides them with
/// LIVERFLOW_TEST_PG and LIVERFLOW_TEST_RABBITMQ (and LIVERFLOW_TEST_RABBITMQ_API for the management API).
/// </summary>
public sealed class TestEnvironment
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Database=liverflow_test;Username=liverflow;Password=liverflow";
    public const string DefaultRabbitMq = "amqp://liverflow:liverflow@127.0.0.1:5672/liverflow_test";
    public const string DefaultRabbitMqApi = "http://127.0.0.1:15672";

    private TestEnvironment(NpgsqlConnectionStringBuilder postgres, Uri rabbitMq, Uri rabbitMqApi)
    {
        Postgres = postgres;
        RabbitHost = rabbitMq.Host;
        RabbitPort = rabbitMq.IsDefaultPort || rabbitMq.Port <= 0 ? 5672 : rabbitMq.Port;
        var userInfo = rabbitMq.UserInfo.Split(':', 2);
        RabbitUser = Uri.UnescapeDataString(userInfo[0]);
        RabbitPassword = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "";
        var path = Uri.UnescapeDataString(rabbitMq.AbsolutePath.TrimStart('/'));
        RabbitVirtualHost = path.Length == 0 ? "/" : path;
        RabbitApi = rabbitMqApi;
    }

    public NpgsqlConnectionStringBuilder Postgres { get; }

    public string RabbitHost { get; }

    public int RabbitPort { get; }

    public string RabbitUser { get; }

    public string RabbitPassword { get; }

    public string RabbitVirtualHost { get; }

    public Uri RabbitApi { get; }

    public static TestEnvironment FromEnvironment()
    {
        var pg = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_PG");
        var rabbit = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_RABBITMQ");
        var api = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_RABBITMQ_API");
        var rabbitUri = new Uri(string.IsNullOrWhiteSpace(rabbit) ? DefaultRabbitMq : rabbit);
        if (rabbitUri.Scheme is not ("amqp" or "rabbitmq"))
        {
            throw new InvalidOperationException($"LIVERFLOW_TEST_RABBITMQ must be an amqp:// URI, got '{rabbitUri.Scheme}://…'.");
        }
        return new TestEnvironment(
            new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(pg) ? DefaultPostgres : pg),
            rabbitUri,
            new Uri(string.IsNullOrWhiteSpace(api) ? DefaultRabbitMqApi : api));
    }

    /// <summary>The connection string of another database on the same server, same credentials.</summary>
    /// <summary>
    /// The connection string of another database on the same server, same credentials. Pools stay
    /// small: the server's 100 connection slots are shared with every other test suite on the machine.
    /// </summary>
    public string ConnectionStringFor(string database, int maxPoolSize = 10)
        => new NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = database, Pooling = true, MaxPoolSize = maxPoolSize }.ConnectionString;

    /// <summary>Fails (never skips) with the command that fixes it when a service is not there.</summary>
    public async Task EnsureReachableAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {Postgres.Host}:{Postgres.Port} as '{Postgres.Username}' ({ex.Message}). " +
                "Run `./liverflow up` (it installs and starts PostgreSQL and creates the role), or set LIVERFLOW_TEST_PG.", ex);
        }
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(RabbitHost, RabbitPort).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not reachable at {RabbitHost}:{RabbitPort} ({ex.Message}). " +
                "Run `./liverflow up` (it installs and starts RabbitMQ and creates the vhost liverflow_test), or set LIVERFLOW_TEST_RABBITMQ.", ex);
        }
    }
}

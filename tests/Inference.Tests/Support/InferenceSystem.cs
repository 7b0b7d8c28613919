using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Contracts;
using LiverFlow.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LiverFlow.Inference.Tests.Support;

/// <summary>
/// The real Inference worker as a child process (<c>dotnet LiverFlow.Inference.dll</c>) on real PostgreSQL (a
/// fresh database per fixture) and RabbitMQ (vhost <c>liverflow_test</c>, exchanges prefixed per run so
/// parallel runs never see each other), configured through the environment as a deployment is. Its
/// neighbours are played from the test process through the same messaging library: Ingest publishes
/// <see cref="StudyIngested"/>, an observer collects <see cref="LesionsClassified"/>. Services come from
/// <c>./liverflow up</c>; LIVERFLOW_TEST_PG and LIVERFLOW_TEST_RABBITMQ override the local defaults.
/// </summary>
public sealed class InferenceSystem : IAsyncDisposable
{
    private const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Database=liverflow_test;Username=liverflow;Password=liverflow";
    private const string DefaultRabbitMq = "amqp://liverflow:liverflow@127.0.0.1:5672/liverflow_test";

    private readonly ConcurrentQueue<string> _log = new();
    private readonly NpgsqlConnectionStringBuilder _postgres;
    private readonly Uri _rabbit;
    private Process? _process;
    private IHost? _neighbours;

    private InferenceSystem(string modelsDirectory, string activeModel)
    {
        var pg = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_PG");
        var rabbit = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_RABBITMQ");
        _postgres = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(pg) ? DefaultPostgres : pg);
        _rabbit = new Uri(string.IsNullOrWhiteSpace(rabbit) ? DefaultRabbitMq : rabbit);
        RunId = $"lfinf{Guid.NewGuid():N}"[..20];
        StorageRoot = TestModel.TempDirectory("store");
        ModelsDirectory = modelsDirectory;
        ActiveModel = activeModel;
        HttpPort = FreeTcpPort();
    }

    public string RunId { get; }
    public string StorageRoot { get; }
    public string ModelsDirectory { get; }
    public string ActiveModel { get; }
    public int HttpPort { get; }
    public ConcurrentQueue<(Guid? MessageId, LesionsClassified Message)> Classified { get; } = new();

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = RunId }.ConnectionString;

    public string LogTail(int lines = 60) => string.Join(Environment.NewLine, _log.TakeLast(lines));

    public string LogText => string.Join(Environment.NewLine, _log);

    public static async Task<InferenceSystem> StartAsync(string modelDirectory)
    {
        var system = new InferenceSystem(Path.GetDirectoryName(modelDirectory)!, Path.GetFileName(modelDirectory));
        await system.CreateDatabaseAsync();
        await system.StartNeighboursAsync();
        await system.StartWorkerAsync();
        return system;
    }

    private async Task CreateDatabaseAsync()
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = "postgres" }.ConnectionString);
        try
        {
            await admin.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"PostgreSQL is not reachable at {_postgres.Host}:{_postgres.Port} ({ex.Message}). Run `./liverflow up`, or set LIVERFLOW_TEST_PG.", ex);
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{RunId}\"", admin);
        await create.ExecuteNonQueryAsync();
    }

    private Dictionary<string, string?> MessagingSettings(string prefix)
    {
        var user = _rabbit.UserInfo.Split(':', 2);
        return new Dictionary<string, string?>
        {
            ["RabbitMq:Host"] = _rabbit.Host,
            ["RabbitMq:Port"] = (_rabbit.IsDefaultPort || _rabbit.Port <= 0 ? 5672 : _rabbit.Port).ToString(CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = Uri.UnescapeDataString(_rabbit.AbsolutePath.TrimStart('/')),
            ["RabbitMq:Username"] = Uri.UnescapeDataString(user[0]),
            ["RabbitMq:Password"] = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "",
            ["Messaging:EndpointPrefix"] = prefix,
            ["Messaging:TopologyPrefix"] = RunId,
            ["Messaging:RetryLimit"] = "2",
            ["Messaging:RetryMinInterval"] = "00:00:00.050",
            ["Messaging:RetryMaxInterval"] = "00:00:00.200",
        };
    }

    private async Task StartNeighboursAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(MessagingSettings($"{RunId}-neighbours"));
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddSingleton(this);
        builder.Services.AddLiverFlowMessaging(builder.Configuration, x => x.AddConsumer<LesionsClassifiedObserver>());
        _neighbours = builder.Build();
        await _neighbours.StartAsync();
    }

    /// <summary>Starts (or restarts) the worker process and waits until it answers /health/live.</summary>
    public async Task StartWorkerAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LiverFlow.Inference.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var (k, v) in MessagingSettings(RunId))
        {
            start.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        }

        start.Environment["ConnectionStrings__liverflow"] = ConnectionString;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}";
        start.Environment["Logging__Format"] = "simple";
        start.Environment["Inference__StorageRoot"] = StorageRoot;
        start.Environment["Inference__ModelsDirectory"] = ModelsDirectory;
        start.Environment["Inference__ActiveModel"] = ActiveModel;
        start.Environment["Inference__ModelRecheckInterval"] = "00:00:01";
        start.Environment["Inference__MaxBatchWaitMs"] = "20";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue("ERR " + e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Inference exited with {_process.ExitCode} while starting:{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/live"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Inference did not start within 120 s:{Environment.NewLine}{LogTail()}");
    }

    public async Task<(HttpStatusCode Status, string Body)> ReadinessAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task PublishAsync(StudyIngested message, Guid messageId) =>
        _neighbours!.Services.GetRequiredService<IBus>().Publish(message, Pipe.Execute<PublishContext>(ctx => ctx.MessageId = messageId));

    public async Task<List<(Guid? MessageId, LesionsClassified Message)>> WaitForClassifiedAsync(Guid correlationId, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = Classified.Where(c => c.Message.CorrelationId == correlationId).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{found.Count} of {count} LesionsClassified for {correlationId} within {timeout}.{Environment.NewLine}{LogTail()}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_neighbours is not null)
        {
            await _neighbours.StopAsync();
            _neighbours.Dispose();
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{RunId}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Plays Interpretation: records each LesionsClassified with the MessageId it arrived with.</summary>
public sealed class LesionsClassifiedObserver(InferenceSystem system) : IConsumer<LesionsClassified>
{
    public Task Consume(ConsumeContext<LesionsClassified> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        system.Classified.Enqueue((context.MessageId, context.Message));
        return Task.CompletedTask;
    }
}

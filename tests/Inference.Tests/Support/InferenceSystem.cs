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
    private Process? _ingest;
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
        IngestHttpPort = FreeTcpPort();
        DicomPort = FreeTcpPort();
    }

    public string RunId { get; }
    public string StorageRoot { get; }
    public string ModelsDirectory { get; }
    public string ActiveModel { get; }
    public int HttpPort { get; }
    public int IngestHttpPort { get; }
    public int DicomPort { get; }
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
        var environment = MessagingSettings(RunId).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["ConnectionStrings__liverflow"] = ConnectionString;
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}";
        environment["Logging__Format"] = "simple";
        environment["Inference__StorageRoot"] = StorageRoot;
        environment["Inference__ModelsDirectory"] = ModelsDirectory;
        environment["Inference__ActiveModel"] = ActiveModel;
        environment["Inference__ModelRecheckInterval"] = "00:00:01";
        environment["Inference__MaxBatchWaitMs"] = "20";
        _process = await StartProcessAsync("Inference", AppContext.BaseDirectory, environment, HttpPort, "/health/live");
        // The worker names its endpoints with this formatter and Messaging:EndpointPrefix (see AddLiverFlowMessaging).
        await WaitForConsumerAsync(new KebabCaseEndpointNameFormatter(RunId, false).Consumer<StudyIngestedConsumer>());
    }

    /// <summary>
    /// /health/live answers as soon as the web host runs, about two seconds before the bus has declared, bound and
    /// started consuming its queue; an event published in between reaches an exchange with no queue and is gone.
    /// Readiness cannot tell (a refused model keeps it Unhealthy by design), so ask the broker: a passive declare
    /// reports the queue's live consumer count.
    /// </summary>
    private async Task WaitForConsumerAsync(string queue)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = _rabbit };
        await using var connection = await factory.CreateConnectionAsync();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync();
                if ((await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount > 0)
                {
                    return;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // 404: the queue is not declared yet (the broker closes the channel; the next attempt opens another).
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"No consumer on queue {queue} within 60 s:{Environment.NewLine}{LogTail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Starts the real Ingest worker beside Inference: the same database, exchanges and file store, its DICOM
    /// listener on <see cref="DicomPort"/>, a short quiet period. Runs from Ingest's own build folder, whose
    /// appsettings.json is Ingest's (this test folder holds Inference's).
    /// </summary>
    public async Task StartIngestAsync()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var folder = Path.Combine(TestModel.RepositoryRoot, "src", "Ingest", "bin", configuration, "net10.0");
        var environment = MessagingSettings($"{RunId}-ingest").ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["ConnectionStrings__liverflow"] = ConnectionString;
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{IngestHttpPort}";
        environment["Logging__Format"] = "simple";
        environment["Ingest__StorageRoot"] = StorageRoot;
        environment["Ingest__QuietPeriod"] = "00:00:03";
        environment["Ingest__CompletionPollInterval"] = "00:00:00.250";
        environment["Ingest__PseudonymKey"] = "test-only-pseudonym-key-0123456789";
        environment["Ingest__Dicom__Port"] = DicomPort.ToString(CultureInfo.InvariantCulture);
        _ingest = await StartProcessAsync("Ingest", folder, environment, IngestHttpPort, "/health/ready");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, DicomPort);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Sends every DICOM file under <paramref name="folder"/> to Ingest with dcmtk's storescu, proposing only what the files need.</summary>
    public async Task SendWithStorescuAsync(string folder)
    {
        var send = new ProcessStartInfo("storescu") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-aec", "LIVERFLOW", "-R", "+sd", "+r", "+sp", "*.dcm", "127.0.0.1", DicomPort.ToString(CultureInfo.InvariantCulture), folder })
        {
            send.ArgumentList.Add(a);
        }

        // Debian's dcmtk leaves Nagle's algorithm on: ~88 ms per instance on loopback without this.
        send.Environment["TCP_NODELAY"] = "1";
        Process process;
        try
        {
            process = Process.Start(send) ?? throw new InvalidOperationException("storescu did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("storescu is not installed: apt-get install dcmtk", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"storescu failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }

    private async Task<Process> StartProcessAsync(string name, string folder, Dictionary<string, string?> environment, int httpPort, string readyPath)
    {
        var dll = Path.Combine(folder, $"LiverFlow.{name}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
        }

        // The content root: appsettings.json is read from here, as in a deployment.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        start.ArgumentList.Add(dll);
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var tag = name == "Inference" ? "" : $"[{name}] ";
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(tag + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(tag + "ERR " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} while starting:{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}{readyPath}"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return process;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} did not start within 120 s:{Environment.NewLine}{LogTail()}");
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
        foreach (var process in new[] { _process, _ingest })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }

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

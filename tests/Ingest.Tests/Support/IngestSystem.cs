using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace LiverFlow.Ingest.Tests.Support;

/// <summary>
/// The real Ingest worker as a child process (<c>dotnet LiverFlow.Ingest.dll</c>) on real PostgreSQL
/// (a fresh database per run) and RabbitMQ (vhost <c>liverflow_test</c>), configured through the
/// environment as a deployment is. Services come from <c>./liverflow up</c>; LIVERFLOW_TEST_PG,
/// LIVERFLOW_TEST_RABBITMQ and LIVERFLOW_TEST_RABBITMQ_API override the local defaults.
/// </summary>
public sealed class IngestSystem : IAsyncLifetime
{
    private const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Database=liverflow_test;Username=liverflow;Password=liverflow";
    private const string DefaultRabbitMq = "amqp://liverflow:liverflow@127.0.0.1:5672/liverflow_test";
    private const string DefaultRabbitMqApi = "http://127.0.0.1:15672";

    /// <summary>Events this suite listens for, each through its own queue bound to MassTransit's exchange for the type.</summary>
    public static readonly string[] Events = ["StudyReceived", "StudyIngested", "StudyNeedsAttention"];

    private readonly ConcurrentQueue<string> _log = new();
    private readonly NpgsqlConnectionStringBuilder _postgres;
    private readonly Uri _rabbit;
    private readonly HttpClient _api;
    private readonly string _vhost;
    private Process? _process;

    public IngestSystem()
    {
        var pg = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_PG");
        var rabbit = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_RABBITMQ");
        var api = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_RABBITMQ_API");
        _postgres = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(pg) ? DefaultPostgres : pg);
        _rabbit = new Uri(string.IsNullOrWhiteSpace(rabbit) ? DefaultRabbitMq : rabbit);
        var user = _rabbit.UserInfo.Split(':', 2);
        _api = new HttpClient { BaseAddress = new Uri(string.IsNullOrWhiteSpace(api) ? DefaultRabbitMqApi : api), Timeout = TimeSpan.FromSeconds(10) };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.UnescapeDataString(user[0])}:{(user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "")}")));
        _vhost = Uri.UnescapeDataString(_rabbit.AbsolutePath.TrimStart('/'));
        RunId = $"lfingest{Guid.NewGuid():N}"[..20];
        Database = RunId;
        StorageRoot = TestPaths.NewTempDirectory("store");
        WatchFolder = TestPaths.NewTempDirectory("watch");
        DicomPort = FreeTcpPort();
        HttpPort = FreeTcpPort();
    }

    public const string AllowedCallingAe = "LFTEST";

    public string RunId { get; }
    public string Database { get; }
    public string StorageRoot { get; }
    public string WatchFolder { get; }
    public int DicomPort { get; }
    public int HttpPort { get; }
    public int Starts { get; private set; }

    public TimeSpan QuietPeriod { get; } = TimeSpan.FromSeconds(2);

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = Database }.ConnectionString;

    public string LogText => string.Join(Environment.NewLine, _log);

    public string LogTail(int lines = 80) => string.Join(Environment.NewLine, _log.TakeLast(lines));

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = "postgres" }.ConnectionString))
        {
            try
            {
                await admin.OpenAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                throw new InvalidOperationException($"PostgreSQL is not reachable at {_postgres.Host}:{_postgres.Port} ({ex.Message}). Run `./liverflow up`, or set LIVERFLOW_TEST_PG.", ex);
            }
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        try
        {
            foreach (var message in Events)
            {
                await PutAsync($"api/exchanges/{V}/{Uri.EscapeDataString($"LiverFlow.Contracts:{message}")}", new { type = "fanout", durable = true, auto_delete = false });
                await PutAsync($"api/queues/{V}/{Uri.EscapeDataString(QueueFor(message))}", new { durable = false, auto_delete = false });
                using var bind = await _api.PostAsJsonAsync($"api/bindings/{V}/e/{Uri.EscapeDataString($"LiverFlow.Contracts:{message}")}/q/{Uri.EscapeDataString(QueueFor(message))}", new { routing_key = "" });
                bind.EnsureSuccessStatusCode();
            }
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"RabbitMQ's management API is not reachable at {_api.BaseAddress} ({ex.Message}). Run `./liverflow up`, or set LIVERFLOW_TEST_RABBITMQ_API.", ex);
        }
        await StartAsync();
    }

    private string V => Uri.EscapeDataString(_vhost);

    private string QueueFor(string message) => $"{RunId}-{message}";

    private async Task PutAsync(string path, object body)
    {
        using var response = await _api.PutAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public async Task StartAsync()
    {
        var dll = Path.Combine(TestPaths.RepositoryRoot, "src", "Ingest", "bin", TestPaths.Configuration, "net10.0", "LiverFlow.Ingest.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build src/Ingest ({TestPaths.Configuration}) first: {dll} is missing.", dll);
        }
        var user = _rabbit.UserInfo.Split(':', 2);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root: appsettings.json is read from here, as in a deployment.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__liverflow"] = ConnectionString,
            ["RabbitMq__Host"] = _rabbit.Host,
            ["RabbitMq__Port"] = (_rabbit.IsDefaultPort || _rabbit.Port <= 0 ? 5672 : _rabbit.Port).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq__VirtualHost"] = _vhost,
            ["RabbitMq__Username"] = Uri.UnescapeDataString(user[0]),
            ["RabbitMq__Password"] = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "",
            ["Messaging__EndpointPrefix"] = RunId,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}",
            ["Logging__LogLevel__Default"] = "Information",
            ["Ingest__StorageRoot"] = StorageRoot,
            ["Ingest__QuietPeriod"] = QuietPeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest__CompletionPollInterval"] = "00:00:00.250",
            ["Ingest__AssemblyLease"] = "00:00:20",
            ["Ingest__PseudonymKey"] = "test-only-pseudonym-key-0123456789",
            ["Ingest__Dicom__Port"] = DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest__Dicom__AllowedCallingAeTitles__0"] = AllowedCallingAe,
            ["Ingest__WatchFolder__Path"] = WatchFolder,
            ["Ingest__WatchFolder__PollInterval"] = "00:00:00.500",
            ["Ingest__WatchFolder__MinimumFileAge"] = "00:00:00.200",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        Starts++;
        var generation = Starts;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue($"[{generation}] {e.Data}"); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue($"[{generation}] ERR {e.Data}"); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
    }

    public bool IsRunning => _process is { HasExited: false };

    public Task EnsureRunningAsync() => IsRunning ? Task.CompletedTask : StartAsync();

    /// <summary>SIGKILL: no shutdown hooks, no flushing, like a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Ingest exited with {_process.ExitCode} while starting:{Environment.NewLine}{LogTail()}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK && await DicomPortOpenAsync())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Ingest was not ready within {timeout}:{Environment.NewLine}{LogTail()}");
    }

    private async Task<bool> DicomPortOpenAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, DicomPort).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The events of one type received so far (peeked: the queue keeps them).</summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync(string message)
    {
        using var response = await _api.PostAsJsonAsync($"api/queues/{V}/{Uri.EscapeDataString(QueueFor(message))}/get",
            new { count = 500, ackmode = "ack_requeue_true", encoding = "auto", truncate = 200000 });
        response.EnsureSuccessStatusCode();
        var items = await response.Content.ReadFromJsonAsync<List<JsonElement>>() ?? [];
        return items.Select(i => JsonDocument.Parse(i.GetProperty("payload").GetString()!).RootElement.GetProperty("message").Clone()).ToList();
    }

    public async Task<JsonElement> WaitForEventAsync(string message, Guid correlationId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var match = (await EventsAsync(message)).FirstOrDefault(e => e.GetProperty("correlationId").GetGuid() == correlationId);
            if (match.ValueKind == JsonValueKind.Object)
            {
                return match;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No {message} for {correlationId} within {timeout}.{Environment.NewLine}{LogTail()}");
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public async Task<List<Dictionary<string, object?>>> RowsAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var c = 0; c < reader.FieldCount; c++)
            {
                row[reader.GetName(c)] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Waits until the study's row reaches one of <paramref name="states"/> and returns (state, version, reason).</summary>
    public async Task<(string State, int Version, string? Reason)> WaitForStudyAsync(string studyInstanceUid, TimeSpan timeout, params string[] states)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var rows = await RowsAsync("SELECT state, version, reason FROM ingest.studies WHERE study_instance_uid = @u", ("u", studyInstanceUid));
            if (rows.Count == 1 && states.Contains((string)rows[0]["state"]!))
            {
                return ((string)rows[0]["state"]!, (int)rows[0]["version"]!, (string?)rows[0]["reason"]);
            }
            if (!IsRunning)
            {
                throw new InvalidOperationException($"Ingest is not running:{Environment.NewLine}{LogTail()}");
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Study did not reach {string.Join("/", states)} within {timeout}.{Environment.NewLine}{LogTail()}");
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        foreach (var message in Events)
        {
            using var _ = await _api.DeleteAsync($"api/queues/{V}/{Uri.EscapeDataString(QueueFor(message))}");
        }
        foreach (var queue in await QueueNamesAsync())
        {
            using var _ = await _api.DeleteAsync($"api/queues/{V}/{Uri.EscapeDataString(queue)}");
        }
        _api.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = "postgres" }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        foreach (var dir in new[] { StorageRoot, WatchFolder })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<IReadOnlyList<string>> QueueNamesAsync()
    {
        var queues = await _api.GetFromJsonAsync<List<JsonElement>>($"api/queues/{V}?columns=name") ?? [];
        return queues.Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith(RunId, StringComparison.Ordinal)).ToList();
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

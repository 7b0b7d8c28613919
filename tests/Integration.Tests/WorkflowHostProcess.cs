using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LiverFlow.Integration.Tests;

/// <summary>
/// The real LiverFlow.Workflow host as a child process (<c>dotnet LiverFlow.Workflow.dll</c>), configured
/// through environment variables exactly as a deployment configures it.
/// </summary>
public sealed class WorkflowHostProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    public WorkflowHostProcess(IReadOnlyDictionary<string, string> environment)
    {
        _environment = new Dictionary<string, string>(environment);
        Port = FreeTcpPort();
        _environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
        _environment["Logging__Format"] = "simple";
        _environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
    }

    public int Port { get; }

    public int Starts { get; private set; }

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(RepositoryPaths.WorkflowHostDll());
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        Starts++;
        var generation = Starts;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Append($"[{generation}] {e.Data}"); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Append($"[{generation}] ERR {e.Data}"); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync(timeout ?? TimeSpan.FromSeconds(90));
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the host unless it is running (a test that failed after a kill leaves it down).</summary>
    public Task EnsureRunningAsync() => IsRunning ? Task.CompletedTask : StartAsync();

    /// <summary>SIGKILL, the whole tree: no graceful shutdown, no flushing, exactly like a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public string LogTail(int lines = 60) => string.Join(Environment.NewLine, _log.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private void Append(string line)
    {
        _log.Enqueue(line);
        while (_log.Count > 2000 && _log.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"The Workflow host exited with {_process.ExitCode} while starting:{Environment.NewLine}{LogTail()}");
            }
            try
            {
                // Ready includes the database and the MassTransit bus (its receive endpoints are bound).
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The Workflow host was not ready within {timeout}:{Environment.NewLine}{LogTail()}");
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Text;

namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>
/// Runs dcmtk's tools as real peers. TCP_NODELAY=1 is set for every one: Debian's build leaves
/// Nagle on and each PDU would otherwise stall ~40–90 ms on loopback. A missing tool fails the
/// test with the package to install; it never skips.
/// </summary>
internal static class Dcmtk
{
    public static string Tool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{name} is not installed: install the Debian package dcmtk (apt-get install dcmtk).");
    }

    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        using var process = Start(tool, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s.");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(string tool, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Tool(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["TCP_NODELAY"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
    }
}

internal sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    public string Output => StdOut + StdErr;
}

/// <summary>A dcmtk storescp listening on a free port until disposed; its output is kept for diagnostics.</summary>
internal sealed class StoreScpProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private StoreScpProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<StoreScpProcess> StartAsync(string outputDirectory, params string[] extraArguments)
    {
        var port = TestEnvironment.FreePort();
        string[] arguments = ["-aet", "STORESCP", "-od", outputDirectory, "-dhl", .. extraArguments, port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var scp = new StoreScpProcess(Dcmtk.Start("storescp", arguments), port);
        await scp.WaitUntilListeningAsync();
        return scp;
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"storescp exited with {_process.ExitCode}: {Log}");
            }

            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"storescp did not listen on port {Port}: {Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

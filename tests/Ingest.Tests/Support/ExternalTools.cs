using System.Diagnostics;

namespace LiverFlow.Ingest.Tests.Support;

public sealed record ToolResult(int ExitCode, string Output);

/// <summary>
/// Real peers (pydicom, dcmtk). A missing tool fails the test with the Debian package to install;
/// it never skips, so a green run always means the peer really ran.
/// </summary>
internal static class ExternalTools
{
    /// <summary>Debian's interpreter: the first python3 on PATH may be a build that cannot import Debian's packages.</summary>
    public const string Python = "/usr/bin/python3";

    public static void Require(string executable, string debianPackage)
    {
        if (!File.Exists(executable) && !OnPath(executable))
        {
            throw new InvalidOperationException($"'{executable}' is not installed: apt-get install {debianPackage}");
        }
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        // Debian's dcmtk leaves Nagle's algorithm on: ~88 ms per instance on loopback without this.
        start.Environment["TCP_NODELAY"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not finish within {timeout.TotalSeconds:0} s.");
        }
        return new ToolResult(process.ExitCode, await stdout + await stderr);
    }

    public static async Task<string> PythonAsync(string script, params string[] arguments)
    {
        Require(Python, "python3-pydicom python3-numpy");
        var result = await RunAsync(Python, [script, .. arguments], TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(script)} failed ({result.ExitCode}); is python3-pydicom installed? {result.Output}");
        }
        return result.Output;
    }

    /// <summary>Sends a folder of Part 10 files with dcmtk's storescu, proposing only the classes the files need.</summary>
    public static Task<ToolResult> StoreScuAsync(int port, string folder, string callingAe = "LFTEST", string calledAe = "LIVERFLOW", params string[] extra)
    {
        Require("storescu", "dcmtk");
        return RunAsync("storescu", ["-v", "-aet", callingAe, "-aec", calledAe, "+sd", "+r", "-R", "+sp", "*.dcm", .. extra, "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), folder],
            TimeSpan.FromMinutes(2));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Bench.DicomReceive;
using LiverFlow.Dicom;
using LiverFlow.Dicom.Network;
using LiverFlow.Dicom.Network.Server;

// Receive throughput of our C-STORE SCP against dcmtk's storescp, same files, same machine, same disk.
// Usage: dotnet run -c Release --project bench/Dicom.Receive [-- --series 4 --instances 200 --rounds 3]
var series = Arg("--series", 4);
var instances = Arg("--instances", 200);
var rounds = Arg("--rounds", 5);
const uint MaxPdu = 131072; // storescp's largest -pdu: both receivers get the same PDU sizes from storescu.

var work = Path.Combine(Path.GetTempPath(), $"liverflow-bench-receive-{Environment.ProcessId}");
Directory.CreateDirectory(work);
try
{
    var sourceFolders = BenchData.WriteSeries(Path.Combine(work, "source"), series, instances);
    var totalBytes = sourceFolders.SelectMany(Directory.GetFiles).Sum(f => new FileInfo(f).Length);
    var totalFiles = series * instances;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Data: {series} series x {instances} MR instances, 256x256 16-bit, {totalBytes / 1e6:F1} MB in {totalFiles} files"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Each round: {series} storescu processes in parallel (one per series, TCP_NODELAY=1), max PDU {MaxPdu}"));

    // Warm-up: JIT and first-touch of the files, not measured.
    await ReceiveIntoOursAsync(sourceFolders, Path.Combine(work, "warmup"), totalFiles);

    var ours = new List<Measurement>();
    var theirs = new List<Measurement>();
    for (var round = 1; round <= rounds; round++)
    {
        // Alternate the order so drifting load on a shared machine hits both receivers alike.
        if (round % 2 == 1)
        {
            ours.Add(await ReceiveIntoOursAsync(sourceFolders, Path.Combine(work, $"ours{round}"), totalFiles));
            theirs.Add(await ReceiveIntoStorescpAsync(sourceFolders, Path.Combine(work, $"storescp{round}"), totalFiles));
        }
        else
        {
            theirs.Add(await ReceiveIntoStorescpAsync(sourceFolders, Path.Combine(work, $"storescp{round}"), totalFiles));
            ours.Add(await ReceiveIntoOursAsync(sourceFolders, Path.Combine(work, $"ours{round}"), totalFiles));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: LiverFlow SCP {ours[^1].Seconds:F2} s ({ours[^1].CpuSeconds:F2} CPU s), storescp {theirs[^1].Seconds:F2} s ({theirs[^1].CpuSeconds:F2} CPU s)"));
    }

    Console.WriteLine();
    Console.WriteLine("| receiver | median wall (s) | median MB/s | best MB/s | receiver CPU s per 100 MB (median) |");
    Console.WriteLine("| --- | --- | --- | --- | --- |");
    Row("LiverFlow DicomServer (parse-checked, moved into place)", ours);
    Row("dcmtk storescp --fork -od", theirs);
    var ratio = Median(theirs.Select(m => m.Seconds)) / Median(ours.Select(m => m.Seconds));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Throughput ratio LiverFlow / storescp (median wall time): {ratio:F2}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU ratio LiverFlow / storescp (median receiver CPU): {Median(ours.Select(m => m.CpuSeconds)) / Median(theirs.Select(m => m.CpuSeconds)):F2}"));

    void Row(string name, List<Measurement> runs)
    {
        var wall = Median(runs.Select(m => m.Seconds));
        var cpu = Median(runs.Select(m => m.CpuSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {wall:F2} | {totalBytes / 1e6 / wall:F1} | {totalBytes / 1e6 / runs.Min(m => m.Seconds):F1} | {cpu * 1e8 / totalBytes:F2} |"));
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static async Task<Measurement> ReceiveIntoOursAsync(IReadOnlyList<string> sources, string output, int expectedFiles)
{
    Directory.CreateDirectory(output);
    var options = new DicomServerOptions { MaxPduLength = MaxPdu, TempDirectory = Path.Combine(output, ".incoming"), MaxConcurrentAssociations = 32 };
    await using var server = DicomServerFactory.Create(IPAddress.Loopback, 0, () => new MoveIntoFolderProvider(output), options);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var elapsed = await SendAllAsync(sources, server.Port);
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
    var stored = Directory.GetFiles(output).Length;
    if (stored != expectedFiles)
    {
        throw new InvalidOperationException($"LiverFlow SCP stored {stored} of {expectedFiles} files.");
    }

    return new Measurement(elapsed, cpu);
}

static async Task<Measurement> ReceiveIntoStorescpAsync(IReadOnlyList<string> sources, string output, int expectedFiles)
{
    Directory.CreateDirectory(output);
    var port = FreePort();
    using var storescp = Tools.Start("storescp", ["--fork", "-pdu", MaxPdu.ToString(CultureInfo.InvariantCulture), "-dhl", "-od", output, port.ToString(CultureInfo.InvariantCulture)]);
    try
    {
        await Tools.WaitForPortAsync(port);
        var elapsed = await SendAllAsync(sources, port);

        // Forked children may still be closing their last file when storescu exits.
        for (var i = 0; i < 100 && Directory.GetFiles(output).Length < expectedFiles; i++)
        {
            await Task.Delay(10);
        }

        var stored = Directory.GetFiles(output).Length;
        if (stored != expectedFiles)
        {
            throw new InvalidOperationException($"storescp stored {stored} of {expectedFiles} files.");
        }

        // storescp reaps its forked children, so their CPU shows in the parent's cutime/cstime.
        await Task.Delay(50);
        return new Measurement(elapsed, Tools.CpuSecondsWithReapedChildren(storescp.Id));
    }
    finally
    {
        storescp.Kill(entireProcessTree: true);
        await storescp.WaitForExitAsync();
    }
}

static async Task<double> SendAllAsync(IReadOnlyList<string> sources, int port)
{
    var clock = Stopwatch.StartNew();
    var runs = sources.Select(folder => Tools.RunAsync("storescu", ["-aec", "BENCH", "-xe", "-R", "+sd", "+sp", "*.dcm", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), folder])).ToArray();
    var results = await Task.WhenAll(runs);
    clock.Stop();
    foreach (var (code, output) in results)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"storescu failed ({code}): {output}");
        }
    }

    return clock.Elapsed.TotalSeconds;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal readonly record struct Measurement(double Seconds, double CpuSeconds);

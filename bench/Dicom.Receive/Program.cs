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
var rounds = Arg("--rounds", 3);
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

    var ours = new List<double>();
    var theirs = new List<double>();
    for (var round = 1; round <= rounds; round++)
    {
        ours.Add(await ReceiveIntoOursAsync(sourceFolders, Path.Combine(work, $"ours{round}"), totalFiles));
        theirs.Add(await ReceiveIntoStorescpAsync(sourceFolders, Path.Combine(work, $"storescp{round}"), totalFiles));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: LiverFlow SCP {ours[^1]:F2} s, storescp {theirs[^1]:F2} s"));
    }

    var oursBest = ours.Min();
    var theirsBest = theirs.Min();
    var oursMbps = totalBytes / 1e6 / oursBest;
    var theirsMbps = totalBytes / 1e6 / theirsBest;
    Console.WriteLine();
    Console.WriteLine("| receiver | best of rounds (s) | MB/s | files/s |");
    Console.WriteLine("| --- | --- | --- | --- |");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| LiverFlow DicomServer (parse-checked, moved into place) | {oursBest:F2} | {oursMbps:F1} | {totalFiles / oursBest:F0} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| dcmtk storescp --fork -od | {theirsBest:F2} | {theirsMbps:F1} | {totalFiles / theirsBest:F0} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ratio LiverFlow / storescp throughput: {oursMbps / theirsMbps:F2}"));
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

static async Task<double> ReceiveIntoOursAsync(IReadOnlyList<string> sources, string output, int expectedFiles)
{
    Directory.CreateDirectory(output);
    var options = new DicomServerOptions { MaxPduLength = MaxPdu, TempDirectory = Path.Combine(output, ".incoming"), MaxConcurrentAssociations = 32 };
    await using var server = DicomServerFactory.Create(IPAddress.Loopback, 0, () => new MoveIntoFolderProvider(output), options);
    var elapsed = await SendAllAsync(sources, server.Port);
    var stored = Directory.GetFiles(output).Length;
    if (stored != expectedFiles)
    {
        throw new InvalidOperationException($"LiverFlow SCP stored {stored} of {expectedFiles} files.");
    }

    return elapsed;
}

static async Task<double> ReceiveIntoStorescpAsync(IReadOnlyList<string> sources, string output, int expectedFiles)
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
        return stored == expectedFiles ? elapsed : throw new InvalidOperationException($"storescp stored {stored} of {expectedFiles} files.");
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

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom;
using Npgsql;

// Ingest receive benchmark: the real worker (C-STORE → fsync'd content-addressed store → index in
// PostgreSQL → Success) against dcmtk storescp writing plain files, same files, same storescu, one
// run each (the worker warmed first by an unmeasured study); then its peak memory (VmHWM) once it has
// assembled both 4-phase studies.
var phases = Arg("--phases", 4);
var slices = Arg("--slices", 80);
var size = Arg("--size", 256);
var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
var root = FindRoot();
var ingestDll = Path.Combine(root, "src", "Ingest", "bin", configuration, "net10.0", "LiverFlow.Ingest.dll");
var work = Directory.CreateTempSubdirectory("lf-bench-ingest-").FullName;
var pg = Environment.GetEnvironmentVariable("LIVERFLOW_TEST_PG") is { Length: > 0 } p ? p : "Host=127.0.0.1;Port=5432;Database=liverflow_test;Username=liverflow;Password=liverflow";
var rabbitUser = Environment.GetEnvironmentVariable("LIVERFLOW_RABBITMQ_USER") ?? "liverflow";
var rabbitPassword = Environment.GetEnvironmentVariable("LIVERFLOW_RABBITMQ_PASSWORD") ?? "liverflow";
var database = $"lfbench{Guid.NewGuid():N}"[..20];
Process? ingest = null;
try
{
    var source = Path.Combine(work, "study");
    var (files, bytes, studyUid) = WriteStudy(source, phases, slices, size);
    // A study of the same shape with its own UIDs: the worker receives and assembles it, unmeasured, before the
    // measured study, so that the measurement sees a running service and not its JIT compiling the receive path
    // (a cold worker spent about two thirds of its CPU in the JIT and runtime). storescp is native: nothing to warm.
    var warmUpSource = Path.Combine(work, "warm-up");
    var (_, _, warmUpUid) = WriteStudy(warmUpSource, phases, slices, size);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"study: {phases} phases × {slices} slices of {size}×{size} = {files} files, {bytes / 1e6:0.0} MB"));

    // dcmtk storescp writing plain files: the floor for "received and on disk".
    var storescpPort = FreePort();
    var storescpDir = Directory.CreateDirectory(Path.Combine(work, "storescp")).FullName;
    using (var storescp = Start("storescp", ["-aet", "LIVERFLOW", "-od", storescpDir, "--fork", storescpPort.ToString(CultureInfo.InvariantCulture)]))
    {
        await WaitForPortAsync(storescpPort);
        var theirs = await SendAsync(storescpPort, source);
        storescp.Kill(entireProcessTree: true);
        Report("dcmtk storescp -od (plain files)", files, bytes, theirs);

        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg) { Database = "postgres" }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var dicomPort = FreePort();
        var httpPort = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(ingestDll)! };
        info.ArgumentList.Add(ingestDll);
        info.Environment["ConnectionStrings__liverflow"] = new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString;
        info.Environment["RabbitMq__VirtualHost"] = "liverflow_test";
        info.Environment["RabbitMq__Username"] = rabbitUser;
        info.Environment["RabbitMq__Password"] = rabbitPassword;
        info.Environment["Messaging__EndpointPrefix"] = database;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        info.Environment["Ingest__StorageRoot"] = Path.Combine(work, "store");
        info.Environment["Ingest__QuietPeriod"] = "00:00:03";
        info.Environment["Ingest__Dicom__Port"] = dicomPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        ingest = Process.Start(info)!;
        ingest.OutputDataReceived += (_, _) => { };
        ingest.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(e.Data); } };
        ingest.BeginOutputReadLine();
        ingest.BeginErrorReadLine();
        await WaitForPortAsync(dicomPort, TimeSpan.FromSeconds(120));
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        var warmUp = await SendAsync(dicomPort, warmUpSource);
        var warmUpState = await WaitUntilAssembledAsync(connection, warmUpUid);
        Report("LiverFlow Ingest, cold (warm-up)", files, bytes, warmUp);
        Console.WriteLine($"  warm-up study {warmUpState.State ?? "(not assembled within 5 min)"}; the measured study follows");

        var ours = await SendAsync(dicomPort, source);
        Report("LiverFlow Ingest (fsync + index)", files, bytes, ours);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio (Ingest / storescp throughput): {theirs.TotalSeconds / ours.TotalSeconds:0.00}"));

        var (state, waited) = await WaitUntilAssembledAsync(connection, studyUid);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"study completed as {state ?? "(not within 5 min)"} {waited.TotalSeconds:0.0} s after the last instance (quiet period 3 s included)"));
        Console.WriteLine($"Ingest peak resident memory (VmHWM, reception + assembly of both studies): {PeakMemory(ingest.Id)}");
    }
}
finally
{
    if (ingest is { HasExited: false })
    {
        ingest.Kill(entireProcessTree: true);
        await ingest.WaitForExitAsync();
    }
    NpgsqlConnection.ClearAllPools();
    await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg) { Database = "postgres" }.ConnectionString))
    {
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
    Directory.Delete(work, recursive: true);
}
return 0;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static void Report(string who, int files, long bytes, TimeSpan elapsed) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{who,-36} {elapsed.TotalSeconds,6:0.00} s  {files / elapsed.TotalSeconds,7:0} instances/s  {bytes / 1e6 / elapsed.TotalSeconds,6:0.0} MB/s"));

static async Task<(string? State, TimeSpan Waited)> WaitUntilAssembledAsync(NpgsqlConnection connection, string studyUid)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < TimeSpan.FromMinutes(5))
    {
        await using var query = new NpgsqlCommand("SELECT state, reason FROM ingest.studies WHERE study_instance_uid = @u", connection);
        query.Parameters.AddWithValue("u", studyUid);
        await using var reader = await query.ExecuteReaderAsync();
        if (await reader.ReadAsync() && reader.GetString(0) is "Ingested" or "NeedsAttention")
        {
            return (reader.GetString(0) + (reader.IsDBNull(1) ? "" : $" ({reader.GetString(1)})"), clock.Elapsed);
        }
        await reader.DisposeAsync();
        await Task.Delay(200);
    }
    return (null, clock.Elapsed);
}

static string PeakMemory(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? "(unknown)" : line["VmHWM:".Length..].Trim();
}

static async Task<TimeSpan> SendAsync(int port, string folder)
{
    var clock = Stopwatch.StartNew();
    using var storescu = Start("storescu", ["-aet", "BENCH", "-aec", "LIVERFLOW", "+sd", "+r", "-R", "+sp", "*.dcm", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), folder]);
    var output = storescu.StandardError.ReadToEndAsync();
    await storescu.WaitForExitAsync();
    clock.Stop();
    if (storescu.ExitCode != 0)
    {
        throw new InvalidOperationException($"storescu failed ({storescu.ExitCode}): {await output}");
    }
    return clock.Elapsed;
}

static Process Start(string tool, IEnumerable<string> arguments)
{
    var info = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = false };
    foreach (var a in arguments)
    {
        info.ArgumentList.Add(a);
    }
    // Debian's dcmtk leaves Nagle's algorithm on: ~88 ms per instance on loopback without this.
    info.Environment["TCP_NODELAY"] = "1";
    return Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start (apt-get install dcmtk).");
}

static async Task WaitForPortAsync(int port, TimeSpan? timeout = null)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(10)))
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(100);
        }
    }
    throw new TimeoutException($"Nothing listens on port {port}.");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "LiverFlow.sln")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("No LiverFlow.sln above the benchmark.");
}

/// <summary>
/// A 4-phase axial study in the shape of a dynamic liver exam (pre, then arterial, portal venous and
/// delayed with agent and bolus timing), written by LiverFlow's own writer: 16-bit, Explicit VR LE.
/// </summary>
static (int Files, long Bytes, string StudyUid) WriteStudy(string folder, int phases, int slices, int size)
{
    Directory.CreateDirectory(folder);
    var study = DicomUID.Generate().Value;
    var random = new Random(5);
    var pixels = new byte[size * size * 2];
    string[] names = ["t1_vibe_fs_tra_pre", "t1_vibe_fs_tra_art", "t1_vibe_fs_tra_pv", "t1_vibe_fs_tra_del"];
    string[] times = ["095900", "100030", "100115", "100300"];
    var files = 0;
    long bytes = 0;
    for (var phase = 0; phase < phases; phase++)
    {
        var series = DicomUID.Generate().Value;
        for (var k = 0; k < slices; k++)
        {
            random.NextBytes(pixels);
            for (var b = 1; b < pixels.Length; b += 2)
            {
                pixels[b] &= 0x0F;
            }
            var ds = new DicomDataset()
                .Add(DicomTag.SOPClassUID, DicomUID.MRImageStorage.Value)
                .Add(DicomTag.SOPInstanceUID, DicomUID.Generate().Value)
                .Add(DicomTag.Modality, "MR")
                .Add(DicomTag.PatientName, "Bench^Phantom")
                .Add(DicomTag.PatientID, "BENCH")
                .Add(DicomTag.StudyInstanceUID, study)
                .Add(DicomTag.SeriesInstanceUID, series)
                .Add(DicomTag.SeriesNumber, (phase + 5).ToString(CultureInfo.InvariantCulture))
                .Add(DicomTag.SeriesDescription, names[phase % names.Length])
                .Add(DicomTag.InstanceNumber, (k + 1).ToString(CultureInfo.InvariantCulture))
                .Add(DicomTag.AcquisitionTime, times[phase % times.Length])
                .Add(DicomTag.EchoTime, "1.3")
                .Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "M", "ND")
                .Add(DicomTag.ImagePositionPatient, "-200", "-200", (k * 2.5).ToString("0.0", CultureInfo.InvariantCulture))
                .Add(DicomTag.ImageOrientationPatient, "1", "0", "0", "0", "1", "0")
                .Add(DicomTag.PixelSpacing, "1.5", "1.5")
                .Add(DicomTag.SliceThickness, "2.5")
                .Add(DicomTag.SamplesPerPixel, (ushort)1)
                .Add(DicomTag.PhotometricInterpretation, "MONOCHROME2")
                .Add(DicomTag.Rows, (ushort)size)
                .Add(DicomTag.Columns, (ushort)size)
                .Add(DicomTag.BitsAllocated, (ushort)16)
                .Add(DicomTag.BitsStored, (ushort)12)
                .Add(DicomTag.HighBit, (ushort)11)
                .Add(DicomTag.PixelRepresentation, (ushort)0)
                .Add(DicomTag.PixelData, DicomVR.OW, (byte[])pixels.Clone());
            if (phase > 0)
            {
                ds.Add(DicomTag.ContrastBolusAgent, "Gadovist").Add(DicomTag.ContrastBolusStartTime, "100000");
            }
            var path = Path.Combine(folder, $"p{phase}_{k:D4}.dcm");
            new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
            files++;
            bytes += new FileInfo(path).Length;
        }
    }
    return (files, bytes, study);
}

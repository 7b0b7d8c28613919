using System.Diagnostics;
using System.Globalization;
using LiverFlow.Bench.DicomParse;
using LiverFlow.Dicom;

// Part 10 parse throughput of LiverFlow.Dicom against pydicom's dcmread on the same files, in one run.
// Usage: dotnet run -c Release --project bench/Dicom.Parse [-- --files 200 --rounds 5]
var files = Argument("--files", 200);
var rounds = Argument("--rounds", 5);
var folder = Path.Combine(Path.GetTempPath(), $"liverflow-parse-bench-{Environment.ProcessId}");
try
{
    var paths = SyntheticSeries.Write(folder, files);
    var bytes = paths.Sum(p => new FileInfo(p).Length);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files} synthetic MR files, 256×256×16 bit, {bytes / 1e6:F1} MB in {folder}"));

    ParseAll(paths); // JIT and page cache warm-up, as pydicom's first round below also warms its imports.
    var ours = Enumerable.Range(0, rounds).Select(_ => Time(() => ParseAll(paths))).Min();
    var theirs = PydicomSeconds(folder, rounds, pixels: false);
    DecodeAll(paths);
    var oursPixels = Enumerable.Range(0, rounds).Select(_ => Time(() => DecodeAll(paths))).Min();
    var theirsPixels = PydicomSeconds(folder, rounds, pixels: true);

    Console.WriteLine("parse (open, two header values, pixel bytes):");
    Report("LiverFlow.Dicom", ours, files, bytes);
    Report("pydicom dcmread", theirs, files, bytes);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio (LiverFlow / pydicom throughput): {theirs / ours:F1}×"));
    Console.WriteLine("parse + pixel frame as 16-bit array (DicomPixelData.GetFrame<ushort> vs pixel_array):");
    Report("LiverFlow.Dicom", oursPixels, files, bytes);
    Report("pydicom", theirsPixels, files, bytes);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio (LiverFlow / pydicom throughput): {theirsPixels / oursPixels:F1}×"));
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static void ParseAll(IReadOnlyList<string> paths)
{
    long checksum = 0;
    foreach (var path in paths)
    {
        // The same work pydicom does below: open, read two header values, touch the pixel bytes.
        var file = DicomFile.Open(path);
        checksum += file.Dataset.GetSingleValue<ushort>(DicomTag.Rows);
        checksum += file.Dataset.GetString(DicomTag.SOPInstanceUID).Length;
        checksum += file.Dataset.GetElement(DicomTag.PixelData)!.Buffer.Length;
    }

    GC.KeepAlive(checksum);
}

static void DecodeAll(IReadOnlyList<string> paths)
{
    // Each frame lands in its own new array, as pydicom's pixel_array does.
    long checksum = 0;
    var sw = Stopwatch.StartNew();
    double open = 0, create = 0, frames = 0;
    foreach (var path in paths)
    {
        var t0 = sw.Elapsed.TotalMilliseconds;
        var file = DicomFile.Open(path);
        var t1 = sw.Elapsed.TotalMilliseconds;
        var pixels = LiverFlow.Dicom.Imaging.DicomPixelData.Create(file.Dataset);
        var t2 = sw.Elapsed.TotalMilliseconds;
        var frame = pixels.GetFrame<ushort>(0);
        var t3 = sw.Elapsed.TotalMilliseconds;
        open += t1 - t0;
        create += t2 - t1;
        frames += t3 - t2;
        checksum += frame[frame.Length / 2];
    }

    if (Environment.GetEnvironmentVariable("LIVERFLOW_BENCH_DETAIL") == "1")
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  open {open:F1} ms, pixel module {create:F1} ms, frames {frames:F1} ms"));
    }

    GC.KeepAlive(checksum);
}

static double Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalSeconds;
}

static double PydicomSeconds(string folder, int rounds, bool pixels)
{
    const string script = """
        import glob, sys, time, pydicom
        paths = sorted(glob.glob(sys.argv[1] + "/*.dcm"))
        def run():
            total = 0
            for p in paths:
                ds = pydicom.dcmread(p)
                total += ds.Rows + len(ds.SOPInstanceUID) + (int(ds.pixel_array[128, 128]) if sys.argv[3] == "1" else len(ds.PixelData))
            return total
        run()
        best = min((lambda t0: (run(), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(int(sys.argv[2])))
        print(best)
        """;
    var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add("-c");
    info.ArgumentList.Add(script);
    info.ArgumentList.Add(folder);
    info.ArgumentList.Add(rounds.ToString(CultureInfo.InvariantCulture));
    info.ArgumentList.Add(pixels ? "1" : "0");
    using var process = Process.Start(info) ?? throw new InvalidOperationException("Cannot start /usr/bin/python3 (install python3-pydicom).");
    var output = process.StandardOutput.ReadToEnd();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"pydicom benchmark failed (is python3-pydicom installed?): {error}");
    }

    return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
}

static void Report(string name, double seconds, int files, long bytes) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-16} {seconds * 1000,8:F1} ms  {bytes / 1e6 / seconds,8:F1} MB/s  {files / seconds,8:F0} files/s"));

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

using System.Diagnostics;
using System.Globalization;
using LiverFlow.Dicom;
using LiverFlow.Dicom.Network;
using LiverFlow.Dicom.Network.Server;

namespace LiverFlow.Bench.DicomReceive;

/// <summary>What a deployment's C-STORE provider does at minimum: move the checked file into its folder.</summary>
internal sealed class MoveIntoFolderProvider(string folder) : IDicomCStoreProvider
{
    public ValueTask<DicomStatus> OnCStoreRequestAsync(DicomCStoreRequest request, CancellationToken cancellationToken)
    {
        File.Move(request.FilePath, Path.Combine(folder, request.SopInstanceUid + ".dcm"));
        return ValueTask.FromResult(DicomStatus.Success);
    }
}

/// <summary>Synthetic MR series written by the core writer (Explicit VR LE, 256×256, 16-bit).</summary>
internal static class BenchData
{
    public static List<string> WriteSeries(string root, int seriesCount, int instancesPerSeries)
    {
        var folders = new List<string>();
        var random = new Random(42);
        var pixels = new byte[256 * 256 * 2];
        for (var s = 0; s < seriesCount; s++)
        {
            var folder = Path.Combine(root, $"series{s}");
            Directory.CreateDirectory(folder);
            folders.Add(folder);
            var study = DicomUID.Generate().Value;
            var series = DicomUID.Generate().Value;
            for (var i = 1; i <= instancesPerSeries; i++)
            {
                random.NextBytes(pixels);
                for (var p = 1; p < pixels.Length; p += 2)
                {
                    pixels[p] &= 0x0F; // 12 bits stored
                }

                var dataset = new DicomDataset()
                    .Add(DicomTag.SOPClassUID, DicomUID.MRImageStorage.Value)
                    .Add(DicomTag.SOPInstanceUID, DicomUID.Generate().Value)
                    .Add(DicomTag.Modality, "MR")
                    .Add(DicomTag.PatientName, "Bench^Phantom")
                    .Add(DicomTag.PatientID, "BENCH")
                    .Add(DicomTag.StudyInstanceUID, study)
                    .Add(DicomTag.SeriesInstanceUID, series)
                    .Add(DicomTag.SeriesNumber, (s + 1).ToString(CultureInfo.InvariantCulture))
                    .Add(DicomTag.InstanceNumber, i.ToString(CultureInfo.InvariantCulture))
                    .Add(DicomTag.SamplesPerPixel, (ushort)1)
                    .Add(DicomTag.PhotometricInterpretation, "MONOCHROME2")
                    .Add(DicomTag.Rows, (ushort)256)
                    .Add(DicomTag.Columns, (ushort)256)
                    .Add(DicomTag.BitsAllocated, (ushort)16)
                    .Add(DicomTag.BitsStored, (ushort)12)
                    .Add(DicomTag.HighBit, (ushort)11)
                    .Add(DicomTag.PixelRepresentation, (ushort)0)
                    .Add(DicomTag.PixelData, DicomVR.OW, (byte[])pixels.Clone());
                new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(folder, $"mr{i:D4}.dcm"));
            }
        }

        return folders;
    }
}

/// <summary>dcmtk processes with Nagle off (TCP_NODELAY=1), as every dcmtk peer in this project runs.</summary>
internal static class Tools
{
    public static Process Start(string tool, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["TCP_NODELAY"] = "1";
        try
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{tool} is not installed: install the Debian package dcmtk.", ex);
        }
    }

    public static async Task<(int Code, string Output)> RunAsync(string tool, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["TCP_NODELAY"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>utime+stime+cutime+cstime of a process from /proc (clock ticks of 1/100 s on Linux).</summary>
    public static double CpuSecondsWithReapedChildren(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command name start at field 3 (state): utime is field 14, so index 11.
        var ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
        return ticks / 100.0;
    }

    public static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 500; i++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(10);
            }
        }

        throw new TimeoutException($"Nothing listens on port {port}.");
    }
}

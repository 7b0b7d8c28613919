using System.Globalization;
using LiverFlow.Dicom.Network.Server;
using LiverFlow.Dicom.Network.Tests.Infrastructure;

namespace LiverFlow.Dicom.Network.Tests;

/// <summary>Our SCP against dcmtk's echoscu and storescu as independent requestors.</summary>
public sealed class ScpConformanceTests
{
    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Echoscu_is_answered_with_success()
    {
        await using var scp = new StoringServer();
        var result = await Dcmtk.RunAsync("echoscu", ["-v", "-aet", "ECHOSCU", "-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port)]);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Received Echo Response (Success)", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-xe", "1.2.840.10008.1.2.1")]
    [InlineData("-xi", "1.2.840.10008.1.2")]
    // storescu -xb proposes a Big Endian context and a fallback one; with both accepted it sends
    // little-endian files unchanged. Big Endian reception is covered by MR_small_bigendian.dcm below.
    [InlineData("-xb", "1.2.840.10008.1.2.1")]
    [InlineData("-xs", "1.2.840.10008.1.2.1")]
    [InlineData("-xd", "1.2.840.10008.1.2.1.99")]
    public async Task Storescu_files_arrive_element_by_element_in_the_negotiated_syntax(string proposal, string expectedSyntax)
    {
        using var source = TestEnvironment.NewTempFolder("src");
        var files = MrFileFactory.WriteSeries(source.Path, 12);
        await using var scp = new StoringServer();

        var result = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "LIVERFLOW", proposal, "-R", "+sd", "+r", "+sp", "*.dcm", "127.0.0.1", Port(scp.Port), source.Path]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(files.Count, scp.Received.Count);
        Assert.All(scp.Received, r => Assert.Equal(expectedSyntax, r.TransferSyntaxUid));
        AssertStoredEqualsSent(files, scp.StoreFolder, expectedSyntax);
    }

    [Fact]
    public async Task Storescu_default_proposal_of_every_storage_class_is_negotiated_and_used()
    {
        using var source = TestEnvironment.NewTempFolder("default");
        var files = MrFileFactory.WriteSeries(source.Path, 2);
        await using var scp = new StoringServer();

        // Without -R storescu proposes its whole list of storage classes, most of which we refuse.
        var result = await Dcmtk.RunAsync("storescu", ["-v", "-aec", "LIVERFLOW", "127.0.0.1", Port(scp.Port), .. files]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Association Accepted", result.Output, StringComparison.Ordinal);
        AssertStoredEqualsSent(files, scp.StoreFolder, DicomNetworkUids.ExplicitVRLittleEndian);
    }

    [Fact]
    public async Task Hundreds_of_files_over_parallel_storescu_associations_all_arrive_intact()
    {
        using var source = TestEnvironment.NewTempFolder("bulk");
        var folders = Enumerable.Range(0, 4).Select(i => source.Sub($"part{i}")).ToArray();
        var files = new List<string>();
        for (var i = 0; i < 320; i++)
        {
            files.Add(MrFileFactory.Write(folders[i % folders.Length], i + 1));
        }

        await using var scp = new StoringServer();
        var runs = folders.Select((folder, i) => Dcmtk.RunAsync(
            "storescu",
            ["-aet", $"MODALITY{i}", "-aec", "LIVERFLOW", i % 2 == 0 ? "-xe" : "-xi", "-R", "+sd", "+r", "+sp", "*.dcm", "127.0.0.1", Port(scp.Port), folder],
            TimeSpan.FromSeconds(90))).ToArray();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Output));
        Assert.Equal(files.Count, scp.Received.Count);
        Assert.Equal(files.Count, Directory.GetFiles(scp.StoreFolder).Length);
        AssertStoredEqualsSent(files, scp.StoreFolder, expectedSyntax: null);
    }

    [Fact]
    public async Task Shared_real_files_of_accepted_classes_arrive_element_by_element()
    {
        string[] relative =
        [
            "debian-python3-pydicom/test_files/MR_small.dcm",
            "debian-python3-pydicom/test_files/CT_small.dcm",
            "debian-python3-pydicom/test_files/MR_small_implicit.dcm",
            "debian-python3-pydicom/test_files/MR_small_bigendian.dcm",
            "debian-python3-pydicom/test_files/liver_1frame.dcm",
            "debian-python3-pydicom/test_files/reportsi.dcm",
            "debian-python3-pydicom/test_files/test-SR.dcm",
            "debian-python3-pydicom/test_files/image_dfl.dcm",
            "debian-python3-pydicom/test_files/SC_rgb_small_odd.dcm",
        ];
        using var source = TestEnvironment.NewTempFolder("shared");
        var files = relative.Select((r, i) =>
        {
            var copy = Path.Combine(source.Path, $"f{i}.dcm");
            File.Copy(TestEnvironment.SharedFile(r), copy);
            return copy;
        }).ToList();
        await using var scp = new StoringServer();

        var result = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "LIVERFLOW", "-R", "+sd", "+sp", "*.dcm", "127.0.0.1", Port(scp.Port), source.Path]);

        Assert.True(result.ExitCode == 0, result.Output);
        AssertStoredEqualsSent(files, scp.StoreFolder, expectedSyntax: null);
    }

    [Fact]
    public async Task An_instance_larger_than_the_in_memory_check_limit_is_checked_from_disk_and_stored_intact()
    {
        using var source = TestEnvironment.NewTempFolder("large");
        // 2100 × 2100 × 2 bytes ≈ 8.8 MB: above TempFileDataSetSink.InMemoryCopyLimit.
        var file = MrFileFactory.Write(source.Path, 1, rows: 2100, columns: 2100);
        Assert.True(new FileInfo(file).Length > Server.TempFileDataSetSink.InMemoryCopyLimit);
        await using var scp = new StoringServer();

        var client = new Client.DicomClient("127.0.0.1", scp.Port, "LIVERFLOW_SCU", "LIVERFLOW");
        var request = new DicomCStoreRequest(file);
        client.AddRequest(request);
        await client.SendAsync();
        var result = await Dcmtk.RunAsync("storescu", ["-aec", "LIVERFLOW", "-xi", "-R", "127.0.0.1", Port(scp.Port), file]);

        Assert.True(request.Response?.Status == DicomStatus.Success, request.Response?.ToString());
        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, result.Output);
        AssertStoredEqualsSent([file], scp.StoreFolder, DicomNetworkUids.ImplicitVRLittleEndian);
    }

    [Fact]
    public async Task Stored_files_read_cleanly_in_dcmdump_and_pydicom()
    {
        using var source = TestEnvironment.NewTempFolder("dump");
        MrFileFactory.WriteSeries(source.Path, 3);
        await using var scp = new StoringServer();
        var send = await Dcmtk.RunAsync("storescu", ["-aec", "LIVERFLOW", "-xi", "-R", "+sd", "+sp", "*.dcm", "127.0.0.1", Port(scp.Port), source.Path]);
        Assert.True(send.ExitCode == 0, send.Output);

        foreach (var stored in Directory.GetFiles(scp.StoreFolder))
        {
            var dump = await Dcmtk.RunAsync("dcmdump", ["-q", "+E", stored]);
            Assert.True(dump.ExitCode == 0 && dump.StdErr.Length == 0, $"{stored}: {dump.Output}");
            Assert.Contains("(0002,0010) UI =LittleEndianImplicit", dump.StdOut, StringComparison.Ordinal);
            Assert.Contains("(0002,0016) AE [STORESCU]", dump.StdOut, StringComparison.Ordinal);
        }

        var pydicom = await Pydicom.ReadAllAsync(Directory.GetFiles(scp.StoreFolder));
        Assert.True(pydicom.ExitCode == 0, pydicom.Output);
    }

    internal static void AssertStoredEqualsSent(IEnumerable<string> sentFiles, string storeFolder, string? expectedSyntax)
    {
        foreach (var sentPath in sentFiles)
        {
            var sent = DicomFile.Open(sentPath);
            var uid = sent.Dataset.GetString(DicomTag.SOPInstanceUID).Trim('\0', ' ');
            var storedPath = Path.Combine(storeFolder, uid + ".dcm");
            Assert.True(File.Exists(storedPath), $"{Path.GetFileName(sentPath)} ({uid}) was not stored.");
            var stored = DicomFile.Open(storedPath);
            if (expectedSyntax is not null)
            {
                Assert.Equal(expectedSyntax, stored.FileMetaInfo.TransferSyntax.UID.Value);
            }

            Assert.Equal(sent.Dataset.GetString(DicomTag.SOPClassUID).Trim('\0', ' '), stored.FileMetaInfo.MediaStorageSOPClassUID?.Trim('\0', ' '));
            Assert.Equal(uid, stored.FileMetaInfo.MediaStorageSOPInstanceUID?.Trim('\0', ' '));
            var differences = DatasetComparer.Differences(sent.Dataset, stored.Dataset);
            Assert.True(differences.Count == 0, $"{Path.GetFileName(sentPath)}: {string.Join("; ", differences.Take(10))}");
        }
    }
}

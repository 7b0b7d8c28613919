using System.Diagnostics;
using LiverFlow.Dicom.Network.Client;
using LiverFlow.Dicom.Network.Pdus;
using LiverFlow.Dicom.Network.Tests.Infrastructure;

namespace LiverFlow.Dicom.Network.Tests;

/// <summary>Our SCU against dcmtk's storescp, including its fault-injection flags.</summary>
public sealed class ScuConformanceTests
{
    private static DicomClient Client(int port, DicomClientOptions? options = null) =>
        new("127.0.0.1", port, "LIVERFLOW", "STORESCP", options ?? new DicomClientOptions { RetryDelay = TimeSpan.FromMilliseconds(50) });

    private static List<DicomCStoreRequest> Queue(DicomClient client, IEnumerable<string> files)
    {
        var requests = files.Select(f => new DicomCStoreRequest(f)).ToList();
        requests.ForEach(client.AddRequest);
        return requests;
    }

    [Fact]
    public async Task Storescp_stores_every_file_and_each_reads_cleanly_in_dcmdump()
    {
        using var work = TestEnvironment.NewTempFolder("scu");
        var source = work.Sub("src");
        var files = MrFileFactory.WriteSeries(source, 20);
        foreach (var shared in new[] { "MR_small_bigendian.dcm", "image_dfl.dcm", "liver_1frame.dcm" })
        {
            var copy = Path.Combine(source, "shared_" + shared);
            File.Copy(TestEnvironment.SharedFile("debian-python3-pydicom/test_files/" + shared), copy);
            files.Add(copy);
        }

        var output = work.Sub("out");
        await using var scp = await StoreScpProcess.StartAsync(output);
        var client = Client(scp.Port);
        var echo = new DicomCEchoRequest();
        client.AddRequest(echo);
        var requests = Queue(client, files);

        await client.SendAsync();

        Assert.Equal(DicomStatus.Success, echo.Response?.Status);
        Assert.All(requests, r => Assert.True(r.Response?.Status == DicomStatus.Success, $"{r.FilePath}: {r.Response}"));
        Assert.Equal(1, client.AssociationAttempts);
        var stored = Directory.GetFiles(output);
        Assert.Equal(files.Count, stored.Length);
        foreach (var file in stored)
        {
            var dump = await Dcmtk.RunAsync("dcmdump", ["-q", "+E", file]);
            Assert.True(dump.ExitCode == 0 && dump.StdErr.Length == 0, $"{file}: {dump.Output}");
        }

        var pydicom = await Pydicom.ReadAllAsync(stored);
        Assert.True(pydicom.ExitCode == 0, pydicom.Output);
        AssertStoredByStorescpEqualsSent(files, stored);
    }

    [Fact]
    public async Task Files_are_transcoded_when_storescp_accepts_only_implicit_little_endian()
    {
        using var work = TestEnvironment.NewTempFolder("scu-implicit");
        var files = MrFileFactory.WriteSeries(work.Sub("src"), 5);
        files.Add(TestEnvironment.SharedFile("debian-python3-pydicom/test_files/MR_small_bigendian.dcm"));
        var output = work.Sub("out");
        await using var scp = await StoreScpProcess.StartAsync(output, "+xi");
        var client = Client(scp.Port);
        var requests = Queue(client, files);

        await client.SendAsync();

        Assert.All(requests, r => Assert.Equal(DicomStatus.Success, r.Response?.Status));
        var stored = Directory.GetFiles(output);
        Assert.All(stored, f => Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, DicomFile.Open(f).FileMetaInfo.TransferSyntax));
        var pydicom = await Pydicom.ReadAllAsync(stored);
        Assert.True(pydicom.ExitCode == 0, pydicom.Output);
        AssertStoredByStorescpEqualsSent(files, stored);
    }

    [Fact]
    public async Task Data_sets_are_fragmented_to_the_smallest_pdu_storescp_allows()
    {
        using var work = TestEnvironment.NewTempFolder("scu-pdu");
        var files = Enumerable.Range(1, 3).Select(i => MrFileFactory.Write(work.Sub("src"), i, rows: 64, columns: 64)).ToList();
        var output = work.Sub("out");
        await using var scp = await StoreScpProcess.StartAsync(output, "-pdu", "4096");
        var client = Client(scp.Port);
        var requests = Queue(client, files);

        await client.SendAsync();

        Assert.All(requests, r => Assert.Equal(DicomStatus.Success, r.Response?.Status));
        AssertStoredByStorescpEqualsSent(files, Directory.GetFiles(output));
    }

    [Fact]
    public async Task Refused_association_is_a_permanent_rejection_and_is_not_retried()
    {
        using var work = TestEnvironment.NewTempFolder("scu-refuse");
        var files = MrFileFactory.WriteSeries(work.Sub("src"), 2);
        await using var scp = await StoreScpProcess.StartAsync(work.Sub("out"), "--refuse");
        var client = Client(scp.Port);
        Queue(client, files);

        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => client.SendAsync());

        Assert.Equal(AssociateRejectResult.Permanent, ex.RejectResult);
        Assert.Equal(AssociateRejectSource.ServiceUser, ex.RejectSource);
        Assert.Equal(1, client.AssociationAttempts);
    }

    [Fact]
    public async Task Reject_without_implementation_class_uid_does_not_hit_us_because_we_send_one()
    {
        using var work = TestEnvironment.NewTempFolder("scu-reject");
        var files = MrFileFactory.WriteSeries(work.Sub("src"), 2);
        await using var scp = await StoreScpProcess.StartAsync(work.Sub("out"), "--reject");
        var client = Client(scp.Port);
        var requests = Queue(client, files);

        await client.SendAsync();

        Assert.All(requests, r => Assert.Equal(DicomStatus.Success, r.Response?.Status));
    }

    [Theory]
    [InlineData("--abort-after")]
    [InlineData("--abort-during")]
    public async Task Aborted_associations_are_retried_a_bounded_number_of_times_then_reported(string fault)
    {
        using var work = TestEnvironment.NewTempFolder("scu-abort");
        var files = MrFileFactory.WriteSeries(work.Sub("src"), 3);
        await using var scp = await StoreScpProcess.StartAsync(work.Sub("out"), fault);
        var client = Client(scp.Port, new DicomClientOptions { MaxAssociationAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(50) });
        var requests = Queue(client, files);

        var ex = await Assert.ThrowsAnyAsync<DicomNetworkException>(() => client.SendAsync());

        Assert.True(ex is DicomAssociationAbortedException || ex.Message.Contains("Connection", StringComparison.OrdinalIgnoreCase), ex.ToString());
        Assert.Equal(3, client.AssociationAttempts);
        Assert.All(requests, r => Assert.Null(r.Response));
    }

    [Fact]
    public async Task A_stalled_scp_hits_the_dimse_timeout_and_the_client_gives_up_after_its_retries()
    {
        using var work = TestEnvironment.NewTempFolder("scu-sleep");
        var files = MrFileFactory.WriteSeries(work.Sub("src"), 1);
        await using var scp = await StoreScpProcess.StartAsync(work.Sub("out"), "--sleep-during", "3");
        var client = Client(scp.Port, new DicomClientOptions { DimseTimeout = TimeSpan.FromSeconds(1), MaxAssociationAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(50) });
        Queue(client, files);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<DicomNetworkException>(() => client.SendAsync());

        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.Equal(2, client.AssociationAttempts);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"gave up only after {clock.Elapsed}");
    }

    [Fact]
    public async Task Nobody_listening_is_a_network_exception_after_the_configured_attempts()
    {
        var client = new DicomClient("127.0.0.1", TestEnvironment.FreePort(), "LIVERFLOW", "NOBODY", new DicomClientOptions { MaxAssociationAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });
        client.AddRequest(new DicomCEchoRequest());

        var ex = await Assert.ThrowsAsync<DicomNetworkException>(() => client.SendAsync());

        Assert.Contains("failed after 2 attempt", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, client.AssociationAttempts);
    }

    [Fact]
    public async Task An_unreadable_file_gets_a_local_failure_and_the_others_are_still_sent()
    {
        using var work = TestEnvironment.NewTempFolder("scu-bad");
        var files = MrFileFactory.WriteSeries(work.Sub("src"), 2);
        var bad = Path.Combine(work.Path, "not-dicom.dcm");
        await File.WriteAllTextAsync(bad, "this is not a DICOM file at all, just text long enough to look at");
        await using var scp = await StoreScpProcess.StartAsync(work.Sub("out"));
        var client = Client(scp.Port);
        var good = Queue(client, files);
        var broken = new DicomCStoreRequest(bad);
        client.AddRequest(broken);

        await client.SendAsync();

        Assert.All(good, r => Assert.Equal(DicomStatus.Success, r.Response?.Status));
        Assert.Equal(DicomState.Failure, broken.Response?.Status.State);
        Assert.StartsWith("Not sent", broken.Response?.Status.ErrorComment, StringComparison.Ordinal);
    }

    private static void AssertStoredByStorescpEqualsSent(List<string> sent, string[] stored)
    {
        var byUid = stored.Select(f => DicomFile.Open(f)).ToDictionary(f => f.Dataset.GetString(DicomTag.SOPInstanceUID).Trim('\0', ' '));
        foreach (var path in sent)
        {
            var original = DicomFile.Open(path);
            var uid = original.Dataset.GetString(DicomTag.SOPInstanceUID).Trim('\0', ' ');
            Assert.True(byUid.TryGetValue(uid, out var copy), $"{path} not stored by storescp");
            var differences = DatasetComparer.Differences(original.Dataset, copy!.Dataset);
            Assert.True(differences.Count == 0, $"{Path.GetFileName(path)}: {string.Join("; ", differences.Take(10))}");
        }
    }
}

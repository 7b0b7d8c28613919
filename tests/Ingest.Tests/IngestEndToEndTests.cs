using System.Security.Cryptography;
using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Lesions;
using LiverFlow.Ingest.Tests.Support;

namespace LiverFlow.Ingest.Tests;

[CollectionDefinition(Name)]
public sealed class IngestSystemCollection : ICollectionFixture<IngestSystem>, ICollectionFixture<GeneratedStudies>
{
    public const string Name = "ingest worker on PostgreSQL and RabbitMQ";
}

/// <summary>
/// The real worker end to end: dcmtk's storescu (and the watch folder) in; PostgreSQL rows, the file
/// store and RabbitMQ events out. Studies are written by pydicom in each vendor's habits.
/// </summary>
[Collection(IngestSystemCollection.Name)]
public sealed class IngestEndToEndTests(IngestSystem system, GeneratedStudies studies)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static Guid CorrelationId(StudyTruth truth, int version = 1) => StudyIdentity.CorrelationIdFor(truth.StudyInstanceUid, version);

    private async Task SendAsync(string folder, string callingAe = IngestSystem.AllowedCallingAe)
    {
        var result = await ExternalTools.StoreScuAsync(system.DicomPort, folder, callingAe);
        Assert.True(result.ExitCode == 0, $"storescu failed ({result.ExitCode}): {result.Output}");
    }

    [Fact]
    public async Task Each_vendor_study_sent_with_storescu_ends_in_StudyIngested_with_every_phase_and_its_lesions()
    {
        await system.EnsureRunningAsync();
        var truths = new[] { await studies.GetAsync("siemens", seed: 21), await studies.GetAsync("ge", seed: 22, fractional: true), await studies.GetAsync("philips", seed: 23) };
        foreach (var truth in truths)
        {
            await SendAsync(truth.Folder);
        }
        foreach (var truth in truths)
        {
            var (state, version, reason) = await system.WaitForStudyAsync(truth.StudyInstanceUid, Patience, "Ingested", "NeedsAttention");
            Assert.True(state == "Ingested", $"{truth.Vendor}: {state} ({reason})");
            Assert.Equal(1, version);

            var ingested = await system.WaitForEventAsync("StudyIngested", CorrelationId(truth), Patience);
            var phases = ingested.GetProperty("phases").EnumerateArray().ToList();
            Assert.Equal(["PreContrast", "Arterial", "PortalVenous", "Delayed"], phases.Select(p => p.GetProperty("phase").GetString()));
            foreach (var phase in phases)
            {
                var volume = phase.GetProperty("volume");
                var bytes = await File.ReadAllBytesAsync(Path.Combine(system.StorageRoot, volume.GetProperty("storageKey").GetString()!));
                Assert.Equal(volume.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
                Assert.Equal(352 + 61 * 59 * 24 * 4, bytes.Length);
            }
            await system.WaitForEventAsync("StudyReceived", CorrelationId(truth), Patience);

            // Every phase decision in the schema is the one the generator meant.
            var decisions = await system.RowsAsync("""
                SELECT d.series_instance_uid, d.temporal_position_identifier, d.phase, d.reason FROM ingest.phase_decisions d
                JOIN ingest.studies s ON s.id = d.study_id WHERE s.study_instance_uid = @u AND d.version = 1
                """, ("u", truth.StudyInstanceUid));
            Assert.NotEmpty(decisions);
            foreach (var d in decisions)
            {
                var expected = truth.ExpectedPhase((string)d["series_instance_uid"]!, (int?)d["temporal_position_identifier"]);
                Assert.True(expected == (string?)d["phase"], $"{truth.Vendor}: {d["series_instance_uid"]} tpi {d["temporal_position_identifier"]}: {d["phase"]} ({d["reason"]}), expected {expected}");
            }

            var lesions = await system.RowsAsync("""
                SELECT l.* FROM ingest.lesions l JOIN ingest.studies s ON s.id = l.study_id WHERE s.study_instance_uid = @u ORDER BY l.lesion_number
                """, ("u", truth.StudyInstanceUid));
            var grid = VolumeGeometry.Axial(61, 59, 24, new Vector3d(-75, -70, -30), 2.5, 2.5, 3);
            StudyAssemblerTests.AssertLesionsMatchTruth(truth, lesions.Select(l => new LesionMeasurement(
                (int)l["voxel_count"]!, (double)l["volume_mm3"]!, (double)l["longest_diameter_mm"]!,
                new Vector3d((double)l["centre_x"]!, (double)l["centre_y"]!, (double)l["centre_z"]!),
                ((int)l["box_i_min"]!, (int)l["box_j_min"]!, (int)l["box_k_min"]!), ((int)l["box_i_max"]!, (int)l["box_j_max"]!, (int)l["box_k_max"]!),
                new Vector3d((double)l["box_x_min"]!, (double)l["box_y_min"]!, (double)l["box_z_min"]!),
                new Vector3d((double)l["box_x_max"]!, (double)l["box_y_max"]!, (double)l["box_z_max"]!))).ToList(), grid);
        }

        // No patient data in the worker's log: not the name, the id, nor the study's UID.
        var log = system.LogText;
        foreach (var truth in truths)
        {
            var first = DicomFile.Open(Directory.EnumerateFiles(truth.Folder, "*.dcm").First()).Dataset;
            Assert.DoesNotContain(first.GetString(DicomTag.PatientID), log, StringComparison.Ordinal);
            Assert.DoesNotContain(first.GetString(DicomTag.PatientName).Split('^')[0], log, StringComparison.Ordinal);
            Assert.DoesNotContain(truth.StudyInstanceUid, log, StringComparison.Ordinal);
        }
        Assert.Equal(0, await system.ScalarAsync<long>("SELECT count(*) FROM ingest.patients WHERE pseudonym LIKE 'LF%'"));
    }

    [Fact]
    public async Task Resending_a_completed_study_creates_no_duplicates_and_a_late_instance_reopens_it_as_version_2()
    {
        await system.EnsureRunningAsync();
        var truth = await studies.GetAsync("siemens", seed: 31);
        await SendAsync(truth.Folder);
        await system.WaitForStudyAsync(truth.StudyInstanceUid, Patience, "Ingested");
        var instances = await system.ScalarAsync<long>("SELECT count(*) FROM ingest.instances i JOIN ingest.studies s ON s.id = i.study_id WHERE s.study_instance_uid = @u", ("u", truth.StudyInstanceUid));
        var files = Directory.EnumerateFiles(Path.Combine(system.StorageRoot, "instances"), "*.dcm", SearchOption.AllDirectories).Count();

        await SendAsync(truth.Folder);
        await Task.Delay(system.QuietPeriod * 2 + TimeSpan.FromSeconds(1));

        Assert.Equal(instances, await system.ScalarAsync<long>("SELECT count(*) FROM ingest.instances i JOIN ingest.studies s ON s.id = i.study_id WHERE s.study_instance_uid = @u", ("u", truth.StudyInstanceUid)));
        Assert.Equal(Directory.EnumerateFiles(truth.Folder, "*.dcm").Count(), (int)instances);
        var (state, version, _) = await system.WaitForStudyAsync(truth.StudyInstanceUid, Patience, "Ingested");
        Assert.Equal(1, version);
        Assert.Equal(1L, await system.ScalarAsync<long>("SELECT count(*) FROM ingest.study_versions v JOIN ingest.studies s ON s.id = v.study_id WHERE s.study_instance_uid = @u", ("u", truth.StudyInstanceUid)));
        Assert.Equal(1L, await system.ScalarAsync<long>("SELECT count(*) FROM ingest.outbox_messages WHERE correlation_id = @c AND message_type LIKE '%StudyIngested'", ("c", CorrelationId(truth))));
        Assert.True(Directory.EnumerateFiles(Path.Combine(system.StorageRoot, "instances"), "*.dcm", SearchOption.AllDirectories).Count() <= files + 0, "a re-send must not add files to the store");
        Assert.Equal("Ingested", state);

        // A new instance after completion re-opens the study as version 2: a new workflow, its own correlation id.
        var late = TestPaths.NewTempDirectory("late");
        var localizer = DicomFile.Open(Path.Combine(truth.Folder, "s001_0001.dcm")).Dataset;
        localizer.AddOrUpdate(DicomTag.SOPInstanceUID, DicomUID.Generate().Value);
        new DicomFile(localizer, DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(late, "late.dcm"));
        await SendAsync(late);
        var reopened = System.Diagnostics.Stopwatch.StartNew();
        while (await system.ScalarAsync<int>("SELECT version FROM ingest.studies WHERE study_instance_uid = @u", ("u", truth.StudyInstanceUid)) != 2)
        {
            Assert.True(reopened.Elapsed < Patience, "the late instance did not re-open the study");
            await Task.Delay(100);
        }
        (state, version, _) = await system.WaitForStudyAsync(truth.StudyInstanceUid, Patience, "Ingested");
        Assert.Equal(2, version);
        await system.WaitForEventAsync("StudyIngested", CorrelationId(truth, 2), Patience);
        var outcomes = await system.RowsAsync(
            "SELECT v.outcome FROM ingest.study_versions v JOIN ingest.studies s ON s.id = v.study_id WHERE s.study_instance_uid = @u ORDER BY v.version",
            ("u", truth.StudyInstanceUid));
        Assert.Equal(["Ingested", "Ingested"], outcomes.Select(r => (string)r["outcome"]!));
        Directory.Delete(late, recursive: true);
    }

    [Fact]
    public async Task Unusable_studies_end_in_NeedsAttention_with_a_queryable_reason_and_the_worker_keeps_serving()
    {
        await system.EnsureRunningAsync();
        var noArterial = await studies.GetAsync("ge", "no-arterial", seed: 41);
        var ct = await studies.GetAsync("ge", "ct", seed: 42);
        var corrupt = await studies.GetAsync("siemens", "corrupt", seed: 43);
        var brain = TestPaths.Shared("tcia-brain-tumor-progression_via_dash-vtk/T1post");
        var brainUid = DicomFile.Open(Directory.EnumerateFiles(brain, "*.dcm").First()).Dataset.GetString(DicomTag.StudyInstanceUID).Trim();

        await SendAsync(noArterial.Folder);
        await SendAsync(ct.Folder);
        await SendAsync(brain);
        // One instance of this study has truncated pixel data: it gets a failure status and the same
        // association carries on with the rest (-nh: storescu halts at the first failure by default).
        var corruptSend = await ExternalTools.StoreScuAsync(system.DicomPort, corrupt.Folder, IngestSystem.AllowedCallingAe, "LIVERFLOW", "-nh");
        var responses = corruptSend.Output.Split('\n').Where(l => l.Contains("Received Store Response", StringComparison.Ordinal)).ToList();
        Assert.Single(responses, l => !l.Contains("(Success)", StringComparison.Ordinal));
        Assert.Equal(Directory.EnumerateFiles(corrupt.Folder, "*.dcm").Count(), responses.Count);

        var (state, _, reason) = await system.WaitForStudyAsync(noArterial.StudyInstanceUid, Patience, "NeedsAttention", "Ingested");
        Assert.Equal("NeedsAttention", state);
        Assert.StartsWith("no arterial phase", reason, StringComparison.Ordinal);
        var attention = await system.WaitForEventAsync("StudyNeedsAttention", CorrelationId(noArterial), Patience);
        Assert.Equal(reason, attention.GetProperty("reason").GetString());
        Assert.Equal("Ingest", attention.GetProperty("stage").GetString());

        (state, _, reason) = await system.WaitForStudyAsync(ct.StudyInstanceUid, Patience, "NeedsAttention", "Ingested");
        Assert.Equal("NeedsAttention", state);
        Assert.Contains("modality CT is not MR", reason, StringComparison.Ordinal);

        (state, _, reason) = await system.WaitForStudyAsync(brainUid, Patience, "NeedsAttention", "Ingested");
        Assert.Equal("NeedsAttention", state);
        Assert.Contains("body part BRAIN is not a liver examination", reason, StringComparison.Ordinal);

        var rejection = await system.RowsAsync("SELECT source, calling_ae_title, reason FROM ingest.rejections WHERE reason LIKE 'pixel data is truncated%'");
        var row = Assert.Single(rejection);
        Assert.Equal("dicom", row["source"]);
        Assert.Equal(IngestSystem.AllowedCallingAe, row["calling_ae_title"]);
        Assert.Contains("pixel data is truncated", system.LogText, StringComparison.Ordinal);
        // The rest of that study was kept and it completes without the refused instance.
        (state, _, reason) = await system.WaitForStudyAsync(corrupt.StudyInstanceUid, Patience, "Ingested", "NeedsAttention");
        Assert.True(state == "Ingested", reason + Environment.NewLine + system.LogTail(60));

        // Still serving: a good study after all of that.
        var good = await studies.GetAsync("philips", seed: 44);
        await SendAsync(good.Folder);
        (state, _, reason) = await system.WaitForStudyAsync(good.StudyInstanceUid, Patience, "Ingested", "NeedsAttention");
        Assert.True(state == "Ingested", reason);
    }

    [Fact]
    public async Task A_calling_AE_outside_the_allow_list_is_refused_and_echo_answers_the_allowed_one()
    {
        await system.EnsureRunningAsync();
        ExternalTools.Require("echoscu", "dcmtk");
        var port = system.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var allowed = await ExternalTools.RunAsync("echoscu", ["-aet", IngestSystem.AllowedCallingAe, "-aec", "LIVERFLOW", "127.0.0.1", port], TimeSpan.FromSeconds(30));
        Assert.True(allowed.ExitCode == 0, allowed.Output);
        var intruder = await ExternalTools.RunAsync("echoscu", ["-aet", "INTRUDER", "-aec", "LIVERFLOW", "127.0.0.1", port], TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, intruder.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", intruder.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Kill_9_during_reception_loses_no_acknowledged_instance_and_the_study_completes_after_restart()
    {
        await system.EnsureRunningAsync();
        var truth = await studies.GetAsync("ge", seed: 51);
        var files = Directory.EnumerateFiles(truth.Folder, "*.dcm").ToList();
        var sopByFile = files.ToDictionary(f => Path.GetFileName(f), f => DicomFile.Open(f).Dataset.GetString(DicomTag.SOPInstanceUID).Trim());

        var sending = ExternalTools.StoreScuAsync(system.DicomPort, truth.Folder);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await system.ScalarAsync<long>("SELECT count(*) FROM ingest.instances i JOIN ingest.studies s ON s.id = i.study_id WHERE s.study_instance_uid = @u", ("u", truth.StudyInstanceUid)) < 30)
        {
            Assert.True(clock.Elapsed < Patience, "reception never started");
            await Task.Delay(10);
        }
        await system.KillAsync();
        var sent = await sending;

        // storescu -v logs "Sending file: …" then the response status for each instance.
        var acknowledged = new List<string>();
        string? current = null;
        foreach (var line in sent.Output.Split('\n'))
        {
            if (line.Contains("Sending file: ", StringComparison.Ordinal))
            {
                current = Path.GetFileName(line[(line.IndexOf("Sending file: ", StringComparison.Ordinal) + 14)..].Trim());
            }
            else if (line.Contains("Received Store Response (Success)", StringComparison.Ordinal) && current is not null)
            {
                acknowledged.Add(current);
                current = null;
            }
        }
        Assert.True(acknowledged.Count >= 30, $"only {acknowledged.Count} acknowledged before the kill:{Environment.NewLine}{sent.Output[^Math.Min(2000, sent.Output.Length)..]}");
        Assert.True(acknowledged.Count < files.Count, "the kill came after the whole study was sent; nothing was interrupted");

        await system.StartAsync();
        var stored = (await system.RowsAsync("SELECT sop_instance_uid, storage_key, sha256 FROM ingest.instances"))
            .ToDictionary(r => (string)r["sop_instance_uid"]!, r => ((string)r["storage_key"]!, (string)r["sha256"]!));
        foreach (var file in acknowledged)
        {
            Assert.True(stored.TryGetValue(sopByFile[file], out var entry), $"{file} was acknowledged but is not indexed after kill -9");
            var bytes = await File.ReadAllBytesAsync(Path.Combine(system.StorageRoot, entry.Item1));
            Assert.Equal(entry.Item2, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        // The sender retries the whole study, as a PACS does after a failed association.
        await SendAsync(truth.Folder);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (state, version, reason) = await system.WaitForStudyAsync(truth.StudyInstanceUid, Patience, "Ingested", "NeedsAttention");
            var receiving = await system.ScalarAsync<long>("SELECT count(*) FROM ingest.studies WHERE study_instance_uid = @u AND state IN ('Receiving', 'Assembling')", ("u", truth.StudyInstanceUid));
            if (state == "Ingested" && receiving == 0)
            {
                Assert.Equal(files.Count, (int)await system.ScalarAsync<long>("SELECT count(*) FROM ingest.instances i JOIN ingest.studies s ON s.id = i.study_id WHERE s.study_instance_uid = @u", ("u", truth.StudyInstanceUid)));
                await system.WaitForEventAsync("StudyIngested", CorrelationId(truth, version), Patience);
                break;
            }
            Assert.True(deadline.Elapsed < Patience, $"study ended {state} v{version}: {reason}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Watch_folder_takes_studies_and_lesion_sidecars_and_sets_refused_files_aside_with_their_reason()
    {
        await system.EnsureRunningAsync();
        var truth = await studies.GetAsync("philips", seed: 61);
        var drop = Path.Combine(system.WatchFolder, "site-a");
        Directory.CreateDirectory(drop);
        foreach (var file in Directory.EnumerateFiles(truth.Folder, "*.dcm").Where(f => Path.GetFileName(f) != "seg.dcm"))
        {
            File.Copy(file, Path.Combine(drop, Path.GetFileName(file)));
        }
        // No SEG at this site: lesion boxes come as a sidecar, in patient coordinates.
        var sidecar = new
        {
            studyInstanceUid = truth.StudyInstanceUid,
            lesions = truth.Lesions.Select(l => new
            {
                label = l.Label,
                minPatientMm = l.CentreLps.Select(c => c - l.DiameterMm / 2).ToArray(),
                maxPatientMm = l.CentreLps.Select(c => c + l.DiameterMm / 2).ToArray(),
            }),
        };
        await File.WriteAllTextAsync(Path.Combine(system.WatchFolder, "boxes.lesions.json"), JsonSerializer.Serialize(sidecar));
        await File.WriteAllBytesAsync(Path.Combine(system.WatchFolder, "not-dicom.dcm"), "this is not DICOM"u8.ToArray());

        var (state, _, reason) = await system.WaitForStudyAsync(truth.StudyInstanceUid, Patience, "Ingested", "NeedsAttention");
        Assert.True(state == "Ingested", reason);
        var lesions = await system.RowsAsync("""
            SELECT l.source, l.centre_x, l.centre_y, l.centre_z FROM ingest.lesions l JOIN ingest.studies s ON s.id = l.study_id
            WHERE s.study_instance_uid = @u ORDER BY l.lesion_number
            """, ("u", truth.StudyInstanceUid));
        Assert.Equal(truth.Lesions.Count, lesions.Count);
        Assert.All(lesions, l => Assert.Equal("Sidecar", l["source"]));
        foreach (var (lesion, row) in truth.Lesions.Zip(lesions))
        {
            var centre = new Vector3d((double)row["centre_x"]!, (double)row["centre_y"]!, (double)row["centre_z"]!);
            Assert.True((centre - new Vector3d(lesion.CentreLps[0], lesion.CentreLps[1], lesion.CentreLps[2])).Length < 3.0, $"{lesion.Label} box centre {centre}");
        }

        var rejected = Path.Combine(system.WatchFolder, "rejected", "not-dicom.dcm");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(rejected + ".reason.txt") && waited.Elapsed < Patience)
        {
            await Task.Delay(100);
        }
        Assert.StartsWith("the file is not a readable DICOM data set", await File.ReadAllTextAsync(rejected + ".reason.txt"), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(drop));
        Assert.Equal(1L, await system.ScalarAsync<long>("SELECT count(*) FROM ingest.rejections WHERE source = 'watch-folder' AND reason LIKE 'the file is not a readable DICOM data set%'"));
    }
}

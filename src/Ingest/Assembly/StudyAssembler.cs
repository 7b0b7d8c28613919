using System.Globalization;
using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Ingest.Lesions;
using LiverFlow.Ingest.Phases;
using LiverFlow.Ingest.Volumes;

namespace LiverFlow.Ingest.Assembly;

/// <summary>A phase volume on the study's common (arterial) grid.</summary>
public sealed record PhaseVolumeResult(ContrastPhase Phase, PhaseDecision Decision, ImageVolume Volume, IReadOnlyList<string> Notes);

public sealed record LesionResult(int Number, string Source, int? SegmentNumber, string? Label, LesionMeasurement Measurement, bool[] Mask);

/// <summary>
/// What a complete study became: phase decisions always; volumes and lesions when usable, or the reason
/// it needs a person (<see cref="AttentionReason"/>).
/// </summary>
public sealed record AssemblyResult(
    StudyPhaseAssessment? Assessment,
    IReadOnlyList<PhaseVolumeResult> Volumes,
    IReadOnlyList<LesionResult> Lesions,
    string? AttentionReason)
{
    public bool IsUsable => AttentionReason is null;

    public VolumeGeometry? Grid => Volumes.Count > 0 ? Volumes[0].Volume.Geometry : null;
}

/// <summary>
/// Turns the instances of a complete study into what the model needs: the contrast phases
/// (from DICOM evidence), one 3D volume per phase on the arterial grid, and the lesions of its SEG
/// (or sidecar boxes). Pure: it reads data sets and returns results, so it is tested without a database.
/// </summary>
public sealed class StudyAssembler(ContrastPhaseClassifier classifier)
{
    /// <summary>Phases turned into volumes, in the order the model reads them.</summary>
    private static readonly ContrastPhase[] VolumePhases =
        [ContrastPhase.PreContrast, ContrastPhase.Arterial, ContrastPhase.PortalVenous, ContrastPhase.Delayed, ContrastPhase.Transitional, ContrastPhase.Hepatobiliary];

    public AssemblyResult Assemble(IReadOnlyList<DicomDataset> instances, LesionSidecar? sidecar = null)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var segs = instances.Where(d => d.Text(DicomTag.SOPClassUID) == SegmentationReader.SegmentationStorage).ToList();
        var images = instances.Where(d => d.Text(DicomTag.SOPClassUID) != SegmentationReader.SegmentationStorage && d.Contains(DicomTag.PixelData)).ToList();
        if (images.Count == 0)
        {
            return Attention(null, $"no images: the study holds {instances.Count} instance(s) and none with pixel data ({string.Join(", ", instances.Select(d => d.Text(DicomTag.Modality)).Distinct())})");
        }

        var groups = GroupSeries(images);
        var assessment = classifier.Classify(groups.Select(g => g.Header).ToList());
        if (!assessment.IsComplete)
        {
            return Attention(assessment, string.Join("; ", assessment.MissingPhaseReasons));
        }

        var volumes = new List<PhaseVolumeResult>();
        VolumeGeometry? grid = null;
        foreach (var phase in VolumePhases.OrderBy(p => p == ContrastPhase.Arterial ? 0 : 1))
        {
            if (!assessment.Selected.TryGetValue(phase, out var decision) || decision.Confidence < ContrastPhaseClassifier.MinimumConfidence)
            {
                continue;
            }
            var group = groups.First(g => ReferenceEquals(g.Header, decision.Series));
            var (volume, notes, problem) = BuildVolume(group.Frames);
            if (volume is null)
            {
                if (phase == ContrastPhase.PreContrast)
                {
                    continue; // the model can do without it; the study stays usable
                }
                return Attention(assessment, $"{phase} phase {decision.Series.Label} cannot be made into a volume: {problem}");
            }
            if (grid is null)
            {
                grid = volume.Geometry;
            }
            else if (!volume.Geometry.SameGridAs(grid))
            {
                volume = volume.ResampleTo(grid);
                notes = [.. notes, "resampled onto the arterial grid in patient coordinates (trilinear)"];
            }
            volumes.Add(new PhaseVolumeResult(phase, decision, volume, notes));
        }
        volumes = volumes.OrderBy(v => Array.IndexOf(VolumePhases, v.Phase)).ToList();

        var sources = groups.SelectMany(g => g.Frames).GroupBy(f => (f.Slice.SopInstanceUid, f.Slice.FrameIndex))
            .ToDictionary(x => x.Key, x => x.First().Slice);
        var lesions = new List<LesionResult>();
        try
        {
            foreach (var seg in segs)
            {
                foreach (var segment in SegmentationReader.Read(seg, sources))
                {
                    var mask = SegmentationReader.Rasterize(segment, grid!);
                    if (LesionMeasurer.Measure(mask, grid!) is { } m)
                    {
                        lesions.Add(new LesionResult(lesions.Count + 1, "SEG", segment.Number, segment.Label, m, mask));
                    }
                }
            }
        }
        catch (SegmentationException ex)
        {
            return Attention(assessment, $"the study's segmentation cannot be read: {ex.Message}");
        }
        if (segs.Count == 0 && sidecar is not null)
        {
            foreach (var box in sidecar.Lesions)
            {
                var mask = LesionMeasurer.BoxMask(grid!, box.MinPatientMm, box.MaxPatientMm);
                if (LesionMeasurer.Measure(mask, grid!) is { } m)
                {
                    lesions.Add(new LesionResult(lesions.Count + 1, "Sidecar", null, box.Label, m, mask));
                }
            }
        }
        return new AssemblyResult(assessment, volumes, lesions, null);
    }

    private static AssemblyResult Attention(StudyPhaseAssessment? assessment, string reason) => new(assessment, [], [], reason);

    internal sealed record SeriesGroup(SeriesHeader Header, IReadOnlyList<ImageFrame> Frames);

    /// <summary>
    /// One group per series and temporal position: a multiphase dynamic series holds every phase in
    /// one Series Instance UID, told apart by Temporal Position Identifier (or, when a writer left that
    /// out, by acquisition time at repeated slice positions).
    /// </summary>
    internal static List<SeriesGroup> GroupSeries(IReadOnlyList<DicomDataset> images)
    {
        var result = new List<SeriesGroup>();
        foreach (var series in images.GroupBy(d => d.Text(DicomTag.SeriesInstanceUID)))
        {
            var datasets = series.ToList();
            var frames = datasets.SelectMany(ImageFrames.Extract).ToList();
            if (frames.Count == 0)
            {
                result.Add(new SeriesGroup(Header(datasets[0], null, datasets.Select(d => d.Time(DicomTag.AcquisitionTime) ?? d.Time(DicomTag.SeriesTime)).Min(), null), []));
                continue;
            }
            // An Enhanced instance may hold several kinds of image at the same positions (magnitude and field
            // map, Dixon water/fat/in/opposed phase): its Frame Types tell them apart, and each is its own group
            // with that Frame Type as the Image Type the phase rules read.
            foreach (var kind in frames.GroupBy(f => f.FrameType is null ? "" : string.Join('\\', f.FrameType)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var ofKind = kind.ToList();
                var temporal = ofKind.Any(f => f.TemporalPosition is not null)
                    ? ofKind.GroupBy(f => f.TemporalPosition ?? 0).OrderBy(g => g.Key).Select(g => (Key: (int?)g.Key, Frames: g.ToList())).ToList()
                    : SplitRepeatedPositions(ofKind);
                var positions = temporal.Count > 1 ? temporal.Count : (int?)null;
                foreach (var (key, group) in temporal)
                {
                    var header = Header(group[0].Dataset, key, group.Select(f => f.AcquisitionTime).Min(), positions);
                    result.Add(new SeriesGroup(group[0].FrameType is { } frameType ? header with { ImageType = frameType } : header, group));
                }
            }
        }
        return result;
    }

    private static List<(int? Key, List<ImageFrame> Frames)> SplitRepeatedPositions(List<ImageFrame> frames)
    {
        var repeated = frames.GroupBy(f => PositionKey(f.Slice)).Any(g => g.Count() > 1);
        var times = frames.Select(f => f.AcquisitionTime).Distinct().ToList();
        if (!repeated || times.Count < 2 || times.Any(t => t is null))
        {
            return [(null, frames)];
        }
        var byTime = frames.GroupBy(f => f.AcquisitionTime).OrderBy(g => g.Key).ToList();
        // Only a clean split (each time a full, distinct set of positions) is taken; anything else stays whole and is reported by the stacker.
        if (byTime.Any(g => g.GroupBy(f => PositionKey(f.Slice)).Any(p => p.Count() > 1)))
        {
            return [(null, frames)];
        }
        return byTime.Select((g, n) => ((int?)(n + 1), g.ToList())).ToList();
    }

    private static string PositionKey(SliceHeader s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.ImagePositionPatient.X:0.00}|{s.ImagePositionPatient.Y:0.00}|{s.ImagePositionPatient.Z:0.00}");

    internal static SeriesHeader Header(DicomDataset ds, int? temporalPosition, TimeOnly? acquisition, int? temporalPositions)
    {
        var echo = ds.Double(DicomTag.EchoTime)
            ?? ds.Item(DicomTag.SharedFunctionalGroupsSequence)?.Item(DicomTag.MREchoSequence)?.Double(DicomTag.EffectiveEchoTime);
        var agent = ds.Text(DicomTag.ContrastBolusAgent);
        if (agent.Length == 0 && ds.Item(DicomTag.ContrastBolusUsageSequence) is not null)
        {
            agent = "contrast (Contrast/Bolus Usage Sequence)";
        }
        return new SeriesHeader
        {
            SeriesInstanceUid = ds.Text(DicomTag.SeriesInstanceUID),
            SeriesNumber = ds.Int(DicomTag.SeriesNumber),
            Modality = ds.Text(DicomTag.Modality) is { Length: > 0 } m ? m : "OT",
            BodyPartExamined = ds.Text(DicomTag.BodyPartExamined),
            SeriesDescription = ds.Text(DicomTag.SeriesDescription),
            ProtocolName = ds.Text(DicomTag.ProtocolName),
            ImageType = ds.Texts(DicomTag.ImageType),
            ContrastBolusAgent = agent,
            ContrastBolusStartTime = ds.Time(DicomTag.ContrastBolusStartTime),
            AcquisitionTime = acquisition,
            TemporalPositionIdentifier = temporalPosition,
            NumberOfTemporalPositions = temporalPositions ?? ds.Int(DicomTag.NumberOfTemporalPositions),
            EchoTimeMs = echo,
            RepetitionTimeMs = ds.Double(DicomTag.RepetitionTime),
            DiffusionBValue = ds.Double(DicomTag.DiffusionBValue),
            ScanningSequence = ds.Texts(DicomTag.ScanningSequence),
        };
    }

    /// <summary>Stacks the frames (largest regular stack when a series holds several orientations) and decodes them into voxels.</summary>
    internal static (ImageVolume? Volume, IReadOnlyList<string> Notes, string? Problem) BuildVolume(IReadOnlyList<ImageFrame> frames)
    {
        if (frames.Count == 0)
        {
            return (null, [], "its images carry no position, orientation or pixel spacing");
        }
        var result = SliceStackBuilder.Build(frames.Select(f => f.Slice).ToList());
        var stack = result.Stacks.OrderByDescending(s => s.Slices.Count).FirstOrDefault();
        if (stack is null)
        {
            return (null, [], string.Join("; ", result.Rejected.Select(r => r.Reason).Distinct()));
        }
        var notes = stack.Notes.ToList();
        if (result.Stacks.Count + result.Rejected.Count > 1)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"kept the largest of {result.Stacks.Count + result.Rejected.Count} image groups ({stack.Slices.Count} slices); the others are a different orientation or grid"));
        }
        var byKey = frames.GroupBy(f => (f.Slice.SopInstanceUid, f.Slice.FrameIndex)).ToDictionary(g => g.Key, g => g.First());
        var g = stack.Geometry;
        var voxels = new float[g.VoxelCount];
        var plane = g.Columns * g.Rows;
        try
        {
            for (var k = 0; k < stack.Slices.Count; k++)
            {
                var slice = stack.Slices[k];
                ImageFrames.Decode(byKey[(slice.SopInstanceUid, slice.FrameIndex)], voxels.AsSpan(k * plane, plane));
            }
        }
        catch (ImageDecodeException ex)
        {
            return (null, notes, ex.Message);
        }
        return (new ImageVolume(g, voxels), notes, null);
    }
}

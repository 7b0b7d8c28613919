using LiverFlow.Imaging;
using LiverFlow.Ingest.Phases;

namespace LiverFlow.Ingest.Tests;

public sealed class ContrastPhaseClassifierTests
{
    private static readonly ContrastPhaseClassifier Classifier = new(new PhaseRules());

    private static SeriesHeader T1(int number, string description, string time, string agent = "", int? tpi = null, string? bolus = null) => new()
    {
        SeriesInstanceUid = $"1.2.3.{number}",
        SeriesNumber = number,
        SeriesDescription = description,
        AcquisitionTime = TimeOnly.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
        ContrastBolusAgent = agent,
        ContrastBolusStartTime = bolus is null ? null : TimeOnly.Parse(bolus, System.Globalization.CultureInfo.InvariantCulture),
        TemporalPositionIdentifier = tpi,
        EchoTimeMs = 1.3,
        RepetitionTimeMs = 3.9,
        ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"],
        ScanningSequence = ["GR"],
    };

    private static ContrastPhase? PhaseOf(StudyPhaseAssessment a, int series, int? tpi = null) =>
        a.Decisions.Single(d => d.Series.SeriesNumber == series && d.Series.TemporalPositionIdentifier == tpi).Phase;

    [Fact]
    public void Siemens_dynamic_series_with_three_temporal_positions_and_bolus_start_is_split_into_arterial_venous_delayed()
    {
        // The real Siemens protocol name: one series, three post-contrast temporal positions.
        const string dyn = "t1_vibe_fs_tra_bh_3 x dyn_Gd";
        var study = Classifier.Classify([
            T1(5, "t1_vibe_fs_tra_bh_pre", "10:00:00"),
            T1(7, dyn, "10:01:25", "Gadovist", tpi: 1, bolus: "10:01:00"),
            T1(7, dyn, "10:02:15", "Gadovist", tpi: 2, bolus: "10:01:00"),
            T1(7, dyn, "10:04:40", "Gadovist", tpi: 3, bolus: "10:01:00"),
        ]);

        Assert.True(study.IsComplete, string.Join("; ", study.MissingPhaseReasons));
        Assert.Equal(ContrastPhase.PreContrast, PhaseOf(study, 5));
        Assert.Equal(ContrastPhase.Arterial, PhaseOf(study, 7, 1));
        Assert.Equal(ContrastPhase.PortalVenous, PhaseOf(study, 7, 2));
        Assert.Equal(ContrastPhase.Delayed, PhaseOf(study, 7, 3));
        Assert.Contains("25 s after the bolus start", study.Selected[ContrastPhase.Arterial].Reason, StringComparison.Ordinal);
        Assert.All(study.Selected.Values, d => Assert.True(d.Confidence >= 0.9));
    }

    [Fact]
    public void Without_bolus_timing_the_agent_and_acquisition_order_decide()
    {
        const string dyn = "t1_vibe_fs_tra_bh_3 x dyn_Gd";
        var study = Classifier.Classify([
            T1(7, dyn, "10:04:40", "Gd", tpi: 3),
            T1(7, dyn, "10:01:25", "Gd", tpi: 1),
            T1(5, "t1_vibe_fs_tra_bh", "10:00:00"),
            T1(7, dyn, "10:02:15", "Gd", tpi: 2),
        ]);

        Assert.True(study.IsComplete);
        Assert.Equal(ContrastPhase.PreContrast, PhaseOf(study, 5));
        Assert.Equal(ContrastPhase.Arterial, PhaseOf(study, 7, 1));
        Assert.Equal(ContrastPhase.PortalVenous, PhaseOf(study, 7, 2));
        Assert.Equal(ContrastPhase.Delayed, PhaseOf(study, 7, 3));
        Assert.Contains("post-contrast acquisition 1 of 3", study.Selected[ContrastPhase.Arterial].Reason, StringComparison.Ordinal);
    }

    [Theory]
    // Vendor naming styles: GE LAVA, Philips THRIVE, Siemens VIBE, and names that say nothing about the phase.
    [InlineData("Ax LAVA pre", "Ax LAVA art", "Ax LAVA portal", "Ax LAVA 3 min", "Gadavist")]
    [InlineData("eTHRIVE_pre", "eTHRIVE_AP", "eTHRIVE_PVP", "eTHRIVE_delay", "Dotarem")]
    [InlineData("t1_vibe_fs_tra_native", "t1_vibe_fs_tra_arterial", "t1_vibe_fs_tra_venous", "t1_vibe_fs_tra_equilibrium", "Gadovist")]
    [InlineData("AX T1 3D", "AX T1 3D", "AX T1 3D", "AX T1 3D", "MultiHance")]
    public void Vendor_naming_styles_give_the_same_phases_when_the_agent_is_recorded(string pre, string art, string pv, string del, string agent)
    {
        var study = Classifier.Classify([
            T1(3, pre, "09:00:00"),
            T1(4, art, "09:01:30", agent),
            T1(5, pv, "09:02:20", agent),
            T1(6, del, "09:05:00", agent),
        ]);

        Assert.True(study.IsComplete, string.Join("; ", study.MissingPhaseReasons));
        Assert.Equal([ContrastPhase.PreContrast, ContrastPhase.Arterial, ContrastPhase.PortalVenous, ContrastPhase.Delayed],
            study.Decisions.Select(d => d.Phase!.Value));
    }

    [Fact]
    public void A_study_without_an_agent_on_its_only_T1_series_is_missing_its_arterial_phase_with_a_reason_naming_the_series()
    {
        var study = Classifier.Classify([
            new SeriesHeader { SeriesInstanceUid = "1.1", SeriesNumber = 2, SeriesDescription = "Ax SSFSE T2", EchoTimeMs = 90 },
            new SeriesHeader { SeriesInstanceUid = "1.2", SeriesNumber = 4, SeriesDescription = "Ax DWI b800", DiffusionBValue = 800, EchoTimeMs = 60 },
            T1(6, "Ax LAVA", "11:00:00"),
        ]);

        Assert.False(study.IsComplete);
        var arterial = Assert.Single(study.MissingPhaseReasons, r => r.StartsWith("no arterial phase", StringComparison.Ordinal));
        Assert.Contains("series 6 'Ax LAVA' is PreContrast (no contrast agent recorded", arterial, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CT_study_has_no_phase_and_says_why()
    {
        var study = Classifier.Classify([
            new SeriesHeader { SeriesInstanceUid = "1", SeriesNumber = 1, Modality = "CT", SeriesDescription = "Abdomen portal" },
        ]);

        Assert.False(study.IsComplete);
        Assert.Contains("modality CT is not MR", study.MissingPhaseReasons[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BRAIN", false)]
    [InlineData("head", false)]
    [InlineData("LSPINE", false)]
    [InlineData("KNEE", false)]
    [InlineData("ABDOMEN", true)]
    [InlineData("LIVER", true)]
    [InlineData("", true)]
    public void A_post_contrast_T1_of_another_body_part_is_no_liver_phase(string bodyPart, bool candidate)
    {
        // The TCIA brain series: post-contrast T1 with an agent, which order alone would call arterial.
        var series = T1(11, "T1post", "09:15:47", "10cc Multihance") with { BodyPartExamined = bodyPart };
        var decision = Classifier.Classify([series]).Decisions.Single();
        Assert.Equal(candidate, decision.Phase is not null);
        if (!candidate)
        {
            Assert.Equal($"body part {bodyPart.ToUpperInvariant()} is not a liver examination", decision.Reason);
        }
    }

    [Theory]
    [InlineData("Ax SSFSE T2", null, null, new string[0], "echo time 90 ms")]
    [InlineData("HASTE tra", null, null, new string[0], "T2-weighted")]
    [InlineData("ep2d_diff_b50_800", null, 800.0, new string[0], "diffusion")]
    [InlineData("t1_fl2d_opp-in", null, null, new string[] { "ORIGINAL", "PRIMARY", "OUT_PHASE" }, "in/opposed")]
    [InlineData("localizer", null, null, new string[0], "localizer")]
    [InlineData("3-pl T2* FGRE S", null, null, new string[0], "localizer")]
    [InlineData("t1_vibe_fs_tra_bh_SUB", null, null, new string[] { "DERIVED", "SECONDARY", "SUBTRACTION" }, "derived")]
    [InlineData("Ax LAVA MIP", null, null, new string[] { "DERIVED", "SECONDARY", "MIP" }, "derived")]
    public void Series_that_are_not_dynamic_T1_are_left_out_with_their_reason(string description, double? te, double? bValue, string[] imageType, string reason)
    {
        var header = new SeriesHeader
        {
            SeriesInstanceUid = "1",
            SeriesNumber = 1,
            SeriesDescription = description,
            EchoTimeMs = te ?? (description.Contains("SSFSE", StringComparison.Ordinal) ? 90 : 2.0),
            DiffusionBValue = bValue,
            ImageType = imageType,
            ContrastBolusAgent = "Gadovist",
        };

        var decision = Assert.Single(Classifier.Classify([header]).Decisions);

        Assert.Null(decision.Phase);
        Assert.Contains(reason, decision.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Dixon_water_images_stay_candidates_while_in_phase_images_are_left_out()
    {
        var study = Classifier.Classify([
            T1(10, "t1_vibe_dixon_tra_W", "10:01:30", "Gadovist"),
            T1(11, "t1_vibe_dixon_tra_in", "10:01:30", "Gadovist"),
        ]);

        Assert.Equal(ContrastPhase.Arterial, PhaseOf(study, 10));
        Assert.Null(PhaseOf(study, 11));
    }

    [Fact]
    public void With_gadoxetate_the_three_minute_phase_is_transitional_and_twenty_minutes_is_hepatobiliary()
    {
        var study = Classifier.Classify([
            T1(1, "pre", "08:00:00", bolus: "08:01:00"),
            T1(2, "dyn", "08:01:30", "Primovist", bolus: "08:01:00"),
            T1(3, "dyn", "08:02:15", "Primovist", bolus: "08:01:00"),
            T1(4, "dyn", "08:04:00", "Primovist", bolus: "08:01:00"),
            T1(5, "HBP 20 min", "08:21:00", "Primovist", bolus: "08:01:00"),
        ]);

        Assert.True(study.IsComplete);
        Assert.Equal(ContrastPhase.Transitional, PhaseOf(study, 4));
        Assert.Equal(ContrastPhase.Hepatobiliary, PhaseOf(study, 5));
        Assert.Equal(4, study.DelayedInput!.Series.SeriesNumber);
    }

    [Fact]
    public void Timing_wins_over_a_misleading_name_with_lower_confidence()
    {
        var study = Classifier.Classify([T1(8, "portal venous", "10:00:30", "Gd", bolus: "10:00:00")]);

        var decision = Assert.Single(study.Decisions);
        Assert.Equal(ContrastPhase.Arterial, decision.Phase);
        Assert.Equal(0.8, decision.Confidence);
        Assert.Contains("timing wins", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_arterial_passes_close_together_are_both_arterial_and_the_later_is_selected()
    {
        var study = Classifier.Classify([
            T1(1, "pre", "10:00:00"),
            T1(2, "dyn", "10:01:00", "Gd"),
            T1(3, "dyn", "10:01:15", "Gd"),
            T1(4, "dyn", "10:02:00", "Gd"),
            T1(5, "dyn", "10:04:30", "Gd"),
        ]);

        Assert.Equal(ContrastPhase.Arterial, PhaseOf(study, 2));
        Assert.Equal(ContrastPhase.Arterial, PhaseOf(study, 3));
        Assert.Equal(ContrastPhase.PortalVenous, PhaseOf(study, 4));
        Assert.Equal(ContrastPhase.Delayed, PhaseOf(study, 5));
        Assert.Equal(3, study.Selected[ContrastPhase.Arterial].Series.SeriesNumber);
    }

    [Fact]
    public void Acquisitions_across_midnight_are_timed_correctly()
    {
        var study = Classifier.Classify([T1(2, "dyn", "00:00:20", "Gd", bolus: "23:59:55")]);

        Assert.Equal(ContrastPhase.Arterial, Assert.Single(study.Decisions).Phase);
    }
}

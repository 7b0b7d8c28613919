using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Output;

/// <summary>Scanner and series naming in the style of the three main vendors.</summary>
public sealed record VendorNaming(
    string Manufacturer,
    string Model,
    string PreContrast,
    string Arterial,
    string PortalVenous,
    string Delayed,
    string Multiphase,
    string T2,
    string Localizer,
    string SoftwareVersion)
{
    /// <summary>GE style stores arterial and portal venous as temporal positions of one series.</summary>
    public bool UsesMultiphaseSeries => Multiphase.Length > 0;

    public static VendorNaming For(VendorStyle vendor, int seed) => vendor switch
    {
        VendorStyle.SiemensVibe => new("SIEMENS", seed % 2 == 0 ? "Aera" : "Skyra",
            "t1_vibe_fs_tra_bh_pre", "t1_vibe_fs_tra_bh_art", "t1_vibe_fs_tra_bh_pv", "t1_vibe_fs_tra_bh_3min", string.Empty,
            "t2_haste_fs_tra_mbh", "localizer", "syngo MR E11"),
        VendorStyle.GeLava => new("GE MEDICAL SYSTEMS", "SIGNA Architect",
            "Ax LAVA-Flex PRE", string.Empty, string.Empty, "Ax LAVA-Flex DELAY", "Ax LAVA-Flex MPh",
            "Ax SSFSE T2", "3-Plane Loc", "MR29.1"),
        // Some Philips sites name every dynamic the same; the phase must then come from timing and contrast tags.
        VendorStyle.PhilipsThrive => seed % 2 == 0
            ? new("Philips Medical Systems", "Ingenia", "eTHRIVE BH pre", "eTHRIVE BH art", "eTHRIVE BH portal", "eTHRIVE BH late", string.Empty, "T2W_SPAIR", "SURVEY", "5.7.1")
            : new("Philips Medical Systems", "Achieva dStream", "WATER: THRIVE BH", "WATER: THRIVE BH", "WATER: THRIVE BH", "WATER: THRIVE BH", string.Empty, "T2W_TSE", "SURVEY", "5.4.1"),
        _ => throw new ArgumentOutOfRangeException(nameof(vendor), vendor, null),
    };
}

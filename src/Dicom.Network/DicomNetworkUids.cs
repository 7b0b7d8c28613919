namespace LiverFlow.Dicom.Network;

/// <summary>The UIDs the network layer negotiates with (PS3.6 Annex A).</summary>
public static class DicomNetworkUids
{
    public const string Verification = "1.2.840.10008.1.1";

    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";

    public const string ComputedRadiographyImageStorage = "1.2.840.10008.5.1.4.1.1.1";
    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string EnhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";
    public const string MRImageStorage = "1.2.840.10008.5.1.4.1.1.4";
    public const string EnhancedMRImageStorage = "1.2.840.10008.5.1.4.1.1.4.1";
    public const string EnhancedMRColorImageStorage = "1.2.840.10008.5.1.4.1.1.4.3";
    public const string UltrasoundImageStorage = "1.2.840.10008.5.1.4.1.1.6.1";
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";
    public const string MultiFrameGrayscaleWordSecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7.3";
    public const string RawDataStorage = "1.2.840.10008.5.1.4.1.1.66";
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
    public const string BasicTextSRStorage = "1.2.840.10008.5.1.4.1.1.88.11";
    public const string EnhancedSRStorage = "1.2.840.10008.5.1.4.1.1.88.22";
    public const string ComprehensiveSRStorage = "1.2.840.10008.5.1.4.1.1.88.33";
    public const string Comprehensive3DSRStorage = "1.2.840.10008.5.1.4.1.1.88.34";
    public const string PositronEmissionTomographyImageStorage = "1.2.840.10008.5.1.4.1.1.128";
    public const string RTStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";

    /// <summary>Our implementation class UID, under the UUID-derived root 2.25 (PS3.5 Annex B.2).</summary>
    public const string ImplementationClassUid = DicomFileMetaInformation.LiverFlowImplementationClassUid;

    public const string ImplementationVersionName = DicomFileMetaInformation.LiverFlowImplementationVersionName;

    /// <summary>Uncompressed transfer syntaxes in the order this SCP prefers them.</summary>
    public static readonly IReadOnlyList<string> UncompressedTransferSyntaxes =
    [
        ExplicitVRLittleEndian,
        ImplicitVRLittleEndian,
        ExplicitVRBigEndian,
        DeflatedExplicitVRLittleEndian,
    ];

    /// <summary>Storage SOP classes accepted by default: what a liver MRI pipeline receives or produces.</summary>
    public static readonly IReadOnlyList<string> DefaultStorageSopClasses =
    [
        MRImageStorage,
        EnhancedMRImageStorage,
        EnhancedMRColorImageStorage,
        CTImageStorage,
        EnhancedCTImageStorage,
        ComputedRadiographyImageStorage,
        UltrasoundImageStorage,
        PositronEmissionTomographyImageStorage,
        SecondaryCaptureImageStorage,
        MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
        RawDataStorage,
        SegmentationStorage,
        BasicTextSRStorage,
        EnhancedSRStorage,
        ComprehensiveSRStorage,
        Comprehensive3DSRStorage,
        RTStructureSetStorage,
    ];
}

using LiverFlow.Dicom.Network.Pdus;
using LiverFlow.Dicom.Network.Server;

namespace LiverFlow.Dicom.Network.Tests;

public sealed class AssociationNegotiatorTests
{
    private static readonly AcceptedSopClass[] Accepted =
    [
        new(DicomNetworkUids.Verification, [DicomNetworkUids.ExplicitVRLittleEndian, DicomNetworkUids.ImplicitVRLittleEndian]),
        new(DicomNetworkUids.MRImageStorage, DicomNetworkUids.UncompressedTransferSyntaxes),
    ];

    private static AssociateRequestPdu Request(string called = "LIVERFLOW", string calling = "MR1", ushort version = 1, string? context = null) => new(
        called,
        calling,
        context ?? PduCodec.DicomApplicationContextName,
        [new PresentationContextProposal(1, DicomNetworkUids.MRImageStorage, [DicomNetworkUids.ImplicitVRLittleEndian])],
        new UserInformation { MaxPduLength = 16384, ImplementationClassUid = "1.2" },
        version);

    public static TheoryData<string, AssociateRequestPdu, DicomServerOptions, int, AssociateRejectResult, AssociateRejectSource, byte> Rejections() => new()
    {
        { "unknown protocol version", Request(version: 2), new DicomServerOptions(), 0, AssociateRejectResult.Permanent, AssociateRejectSource.ServiceProviderAcse, AssociateRejectReasons.ProtocolVersionNotSupported },
        { "foreign application context", Request(context: "1.2.3"), new DicomServerOptions(), 0, AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.ApplicationContextNameNotSupported },
        { "called AE not allowed", Request(called: "OTHER"), new DicomServerOptions { AllowedCalledAeTitles = ["LIVERFLOW"] }, 0, AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.CalledAeTitleNotRecognized },
        { "calling AE not allowed", Request(calling: "X"), new DicomServerOptions { AllowedCallingAeTitles = ["MR1_OTHER"] }, 0, AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.CallingAeTitleNotRecognized },
        { "association limit reached", Request(), new DicomServerOptions { MaxConcurrentAssociations = 2 }, 2, AssociateRejectResult.Transient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReasons.LocalLimitExceeded },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Policy_violations_are_rejected_with_the_matching_source_and_reason(string because, AssociateRequestPdu request, DicomServerOptions options, int active, AssociateRejectResult result, AssociateRejectSource source, byte reason)
    {
        var decision = AssociationNegotiator.Decide(request, options, Accepted, active);

        Assert.False(decision.IsAccepted, because);
        Assert.Equal(new AssociateRejectPdu(result, source, reason), decision.Reject);
    }

    [Fact]
    public void Allowed_titles_below_the_limit_are_accepted_with_our_max_pdu_and_implementation()
    {
        var options = new DicomServerOptions { AllowedCalledAeTitles = ["LIVERFLOW"], AllowedCallingAeTitles = ["MR1"], MaxConcurrentAssociations = 2, MaxPduLength = 65536 };
        var decision = AssociationNegotiator.Decide(Request(), options, Accepted, 1);

        Assert.True(decision.IsAccepted);
        Assert.Equal(65536u, decision.Accept!.UserInformation.MaxPduLength);
        Assert.Equal(DicomNetworkUids.ImplementationClassUid, decision.Accept.UserInformation.ImplementationClassUid);
    }

    public static TheoryData<string, string, string[], PresentationContextResult, string?> Contexts() => new()
    {
        { "our preference wins over the proposer's order", DicomNetworkUids.MRImageStorage, [DicomNetworkUids.ImplicitVRLittleEndian, DicomNetworkUids.ExplicitVRLittleEndian], PresentationContextResult.Acceptance, DicomNetworkUids.ExplicitVRLittleEndian },
        { "implicit only", DicomNetworkUids.MRImageStorage, [DicomNetworkUids.ImplicitVRLittleEndian], PresentationContextResult.Acceptance, DicomNetworkUids.ImplicitVRLittleEndian },
        { "big endian only", DicomNetworkUids.MRImageStorage, [DicomNetworkUids.ExplicitVRBigEndian], PresentationContextResult.Acceptance, DicomNetworkUids.ExplicitVRBigEndian },
        { "deflated only", DicomNetworkUids.MRImageStorage, [DicomNetworkUids.DeflatedExplicitVRLittleEndian], PresentationContextResult.Acceptance, DicomNetworkUids.DeflatedExplicitVRLittleEndian },
        { "JPEG lossless only: sender must transcode", DicomNetworkUids.MRImageStorage, ["1.2.840.10008.1.2.4.70"], PresentationContextResult.TransferSyntaxesNotSupported, null },
        { "JPEG 2000 then implicit", DicomNetworkUids.MRImageStorage, ["1.2.840.10008.1.2.4.90", DicomNetworkUids.ImplicitVRLittleEndian], PresentationContextResult.Acceptance, DicomNetworkUids.ImplicitVRLittleEndian },
        { "SOP class not configured", "1.2.840.10008.5.1.4.1.1.481.1", [DicomNetworkUids.ExplicitVRLittleEndian], PresentationContextResult.AbstractSyntaxNotSupported, null },
        { "verification", DicomNetworkUids.Verification, [DicomNetworkUids.ImplicitVRLittleEndian], PresentationContextResult.Acceptance, DicomNetworkUids.ImplicitVRLittleEndian },
    };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void Each_presentation_context_gets_the_result_policy_dictates(string because, string abstractSyntax, string[] proposed, PresentationContextResult result, string? transferSyntax)
    {
        var answer = AssociationNegotiator.Answer(new PresentationContextProposal(5, abstractSyntax, proposed), Accepted);

        Assert.True(result == answer.Result, because);
        Assert.Equal(5, answer.Id);
        if (transferSyntax is not null)
        {
            Assert.Equal(transferSyntax, answer.TransferSyntax);
        }
    }
}

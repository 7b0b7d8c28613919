using System.Net;
using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Server;

/// <summary>An SCP provider that answers C-ECHO (Verification SOP class).</summary>
public interface IDicomCEchoProvider
{
    ValueTask<DicomStatus> OnCEchoRequestAsync(DicomCEchoRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// An SCP provider that takes C-STORE. The data set is on disk at <see cref="DicomCStoreRequest.FilePath"/>
/// as a Part 10 file, already checked to parse and to match the command; move it away to keep it.
/// </summary>
public interface IDicomCStoreProvider
{
    ValueTask<DicomStatus> OnCStoreRequestAsync(DicomCStoreRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Optional association-level hook: called after the configured policy accepted a request;
/// return a rejection to refuse it anyway (e.g. a per-modality schedule).
/// </summary>
public interface IDicomAssociationRequestHandler
{
    ValueTask<DicomAssociationRejection?> OnReceiveAssociationRequestAsync(DicomAssociation association, CancellationToken cancellationToken);
}

/// <summary>How a provider refuses an association.</summary>
public sealed record DicomAssociationRejection(AssociateRejectResult Result, AssociateRejectSource Source, byte Reason);

/// <summary>What is known about an association once negotiated.</summary>
public sealed record DicomAssociation(
    string CallingAeTitle,
    string CalledAeTitle,
    EndPoint? RemoteEndPoint,
    uint PeerMaxPduLength,
    string PeerImplementationClassUid,
    string? PeerImplementationVersionName,
    IReadOnlyList<PresentationContextProposal> ProposedContexts,
    IReadOnlyList<PresentationContextAnswer> Answers);

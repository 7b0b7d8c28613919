using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Server;

/// <summary>The SCP's answer to an A-ASSOCIATE-RQ: either an accept or a reject, never both.</summary>
public sealed record AssociationDecision(AssociateAcceptPdu? Accept, AssociateRejectPdu? Reject)
{
    public bool IsAccepted => Accept is not null;
}

/// <summary>
/// Decides an A-ASSOCIATE-RQ from configuration alone (PS3.8 §7.1, PS3.7 Annex D): protocol
/// version, application context, AE allow-lists, the association limit, then each presentation
/// context. Pure: no I/O, so every rule is tested with a table of requests.
/// </summary>
public static class AssociationNegotiator
{
    public static AssociationDecision Decide(
        AssociateRequestPdu request,
        DicomServerOptions options,
        IReadOnlyList<AcceptedSopClass> acceptedSopClasses,
        int associationsAlreadyActive)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(acceptedSopClasses);

        // Bit 0 of the protocol version field is version 1, the only one defined (PS3.8 §9.3.2).
        if ((request.ProtocolVersion & 1) == 0)
        {
            return Reject(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceProviderAcse, AssociateRejectReasons.ProtocolVersionNotSupported);
        }

        if (request.ApplicationContextName != PduCodec.DicomApplicationContextName)
        {
            return Reject(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.ApplicationContextNameNotSupported);
        }

        if (options.AllowedCalledAeTitles.Count > 0 && !options.AllowedCalledAeTitles.Contains(request.CalledAeTitle, StringComparer.Ordinal))
        {
            return Reject(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.CalledAeTitleNotRecognized);
        }

        if (options.AllowedCallingAeTitles.Count > 0 && !options.AllowedCallingAeTitles.Contains(request.CallingAeTitle, StringComparer.Ordinal))
        {
            return Reject(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.CallingAeTitleNotRecognized);
        }

        if (associationsAlreadyActive >= options.MaxConcurrentAssociations)
        {
            return Reject(AssociateRejectResult.Transient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReasons.LocalLimitExceeded);
        }

        var answers = request.PresentationContexts.Select(pc => Answer(pc, acceptedSopClasses)).ToArray();
        var accept = new AssociateAcceptPdu(
            request.CalledAeTitle,
            request.CallingAeTitle,
            PduCodec.DicomApplicationContextName,
            answers,
            new UserInformation
            {
                MaxPduLength = options.MaxPduLength,
                ImplementationClassUid = DicomNetworkUids.ImplementationClassUid,
                ImplementationVersionName = DicomNetworkUids.ImplementationVersionName,
                // We perform one operation at a time; answering 1/1 tells an asynchronous requestor so.
                AsyncOperationsWindow = request.UserInformation.AsyncOperationsWindow is null ? null : ((ushort)1, (ushort)1),
            });
        return new AssociationDecision(accept, null);
    }

    /// <summary>
    /// Accepts the first of our preferred transfer syntaxes that the requestor offers, so the
    /// SCP, not the sender, picks e.g. Explicit VR LE over Implicit.
    /// </summary>
    public static PresentationContextAnswer Answer(PresentationContextProposal proposal, IReadOnlyList<AcceptedSopClass> acceptedSopClasses)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(acceptedSopClasses);
        var sopClass = acceptedSopClasses.FirstOrDefault(a => a.SopClassUid == proposal.AbstractSyntax);
        if (sopClass is null)
        {
            return new PresentationContextAnswer(proposal.Id, PresentationContextResult.AbstractSyntaxNotSupported, proposal.TransferSyntaxes[0]);
        }

        foreach (var ts in sopClass.TransferSyntaxes)
        {
            if (proposal.TransferSyntaxes.Contains(ts, StringComparer.Ordinal))
            {
                return new PresentationContextAnswer(proposal.Id, PresentationContextResult.Acceptance, ts);
            }
        }

        return new PresentationContextAnswer(proposal.Id, PresentationContextResult.TransferSyntaxesNotSupported, proposal.TransferSyntaxes[0]);
    }

    private static AssociationDecision Reject(AssociateRejectResult result, AssociateRejectSource source, byte reason) =>
        new(null, new AssociateRejectPdu(result, source, reason));
}

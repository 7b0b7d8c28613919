namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RJ result field (PS3.8 §9.3.4).</summary>
public enum AssociateRejectResult : byte
{
    Permanent = 1,
    Transient = 2,
}

/// <summary>A-ASSOCIATE-RJ source field: who refused the association.</summary>
public enum AssociateRejectSource : byte
{
    ServiceUser = 1,
    ServiceProviderAcse = 2,
    ServiceProviderPresentation = 3,
}

/// <summary>
/// A-ASSOCIATE-RJ reason values. The number only has meaning together with the source, so each
/// constant names the source it belongs to.
/// </summary>
public static class AssociateRejectReasons
{
    public const byte ServiceUserNoReasonGiven = 1;
    public const byte ApplicationContextNameNotSupported = 2;
    public const byte CallingAeTitleNotRecognized = 3;
    public const byte CalledAeTitleNotRecognized = 7;
    public const byte AcseNoReasonGiven = 1;
    public const byte ProtocolVersionNotSupported = 2;
    public const byte TemporaryCongestion = 1;
    public const byte LocalLimitExceeded = 2;
}

/// <summary>A-ABORT source field.</summary>
public enum AbortSource : byte
{
    ServiceUser = 0,
    Reserved = 1,
    ServiceProvider = 2,
}

/// <summary>A-ABORT reason (meaningful when the source is the service provider).</summary>
public enum AbortReason : byte
{
    NotSpecified = 0,
    UnrecognizedPdu = 1,
    UnexpectedPdu = 2,
    UnrecognizedPduParameter = 4,
    UnexpectedPduParameter = 5,
    InvalidPduParameterValue = 6,
}

/// <summary>Result of one presentation context in an A-ASSOCIATE-AC.</summary>
public enum PresentationContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    ProviderRejectionNoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>Human-readable texts for the numeric association fields, as dcmtk prints them.</summary>
public static class AssociationTexts
{
    public static string Describe(AssociateRejectSource source, byte reason) => (source, reason) switch
    {
        (AssociateRejectSource.ServiceUser, 1) => "no reason given",
        (AssociateRejectSource.ServiceUser, 2) => "application context name not supported",
        (AssociateRejectSource.ServiceUser, 3) => "calling AE title not recognized",
        (AssociateRejectSource.ServiceUser, 7) => "called AE title not recognized",
        (AssociateRejectSource.ServiceProviderAcse, 1) => "no reason given",
        (AssociateRejectSource.ServiceProviderAcse, 2) => "protocol version not supported",
        (AssociateRejectSource.ServiceProviderPresentation, 1) => "temporary congestion",
        (AssociateRejectSource.ServiceProviderPresentation, 2) => "local limit exceeded",
        _ => $"reason {reason}",
    };

    public static string Describe(AbortReason reason) => reason switch
    {
        AbortReason.NotSpecified => "reason not specified",
        AbortReason.UnrecognizedPdu => "unrecognized PDU",
        AbortReason.UnexpectedPdu => "unexpected PDU",
        AbortReason.UnrecognizedPduParameter => "unrecognized PDU parameter",
        AbortReason.UnexpectedPduParameter => "unexpected PDU parameter",
        AbortReason.InvalidPduParameterValue => "invalid PDU parameter value",
        _ => $"reason {(byte)reason}",
    };

    public static string Describe(PresentationContextResult result) => result switch
    {
        PresentationContextResult.Acceptance => "acceptance",
        PresentationContextResult.UserRejection => "user rejection",
        PresentationContextResult.ProviderRejectionNoReason => "provider rejection (no reason)",
        PresentationContextResult.AbstractSyntaxNotSupported => "abstract syntax not supported",
        PresentationContextResult.TransferSyntaxesNotSupported => "transfer syntaxes not supported",
        _ => $"result {(byte)result}",
    };
}

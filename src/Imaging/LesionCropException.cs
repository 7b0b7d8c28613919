namespace LiverFlow.Imaging;

/// <summary>A lesion whose model input cannot be made; the message says why, for the study's record.</summary>
public sealed class LesionCropException : Exception
{
    public LesionCropException()
    {
    }

    public LesionCropException(string message)
        : base(message)
    {
    }

    public LesionCropException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

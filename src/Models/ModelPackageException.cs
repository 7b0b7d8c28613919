namespace LiverFlow.Models;

/// <summary>A model package that must not be used; the message says what does not match.</summary>
public sealed class ModelPackageException : Exception
{
    public ModelPackageException()
    {
    }

    public ModelPackageException(string message)
        : base(message)
    {
    }

    public ModelPackageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace LiverFlow.Dicom.Network;

/// <summary>Where the fragments of one received data set go, in order, as they arrive.</summary>
internal interface IDataSetSink
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken);

    ValueTask CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>Swallows a data set nobody wants (e.g. one following a command we refuse) so the association stays in step.</summary>
internal sealed class DiscardingDataSetSink : IDataSetSink
{
    public static readonly DiscardingDataSetSink Instance = new();

    public ValueTask WriteAsync(ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

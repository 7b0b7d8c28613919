using System.Buffers.Binary;
using LiverFlow.Imaging;

namespace LiverFlow.Inference.Studies;

/// <summary>
/// Reads the single-file NIfTI-1 volumes Ingest writes (float32 phase volumes, uint8 label maps): grid size,
/// pixdim for spacing and the sform (RAS+) for position and axes, turned back into DICOM LPS by negating x and y.
/// Only what Ingest writes is accepted (little-endian, rank 3, sform set); anything else is refused with its reason.
/// </summary>
public static class NiftiReader
{
    private const int HeaderSize = 348;
    private const short Float32 = 16;
    private const short UInt8 = 2;

    public static ImageVolume ReadVolume(ReadOnlySpan<byte> file, string name)
    {
        var (geometry, datatype, offset) = ReadHeader(file, name);
        var count = geometry.VoxelCount;
        var voxels = new float[count];
        switch (datatype)
        {
            case Float32:
                Need(file, offset + 4L * count, name);
                for (var n = 0; n < count; n++)
                {
                    voxels[n] = BinaryPrimitives.ReadSingleLittleEndian(file.Slice(offset + 4 * n, 4));
                }

                break;
            case UInt8:
                Need(file, offset + (long)count, name);
                for (var n = 0; n < count; n++)
                {
                    voxels[n] = file[offset + n];
                }

                break;
            default:
                throw new InvalidDataException($"{name}: NIfTI datatype {datatype} is not one Ingest writes (float32 or uint8).");
        }

        return new ImageVolume(geometry, voxels);
    }

    /// <summary>A uint8 label map (0 background, n = lesion n) and its grid.</summary>
    public static (VolumeGeometry Grid, byte[] Labels) ReadLabels(ReadOnlySpan<byte> file, string name)
    {
        var (geometry, datatype, offset) = ReadHeader(file, name);
        if (datatype != UInt8)
        {
            throw new InvalidDataException($"{name}: a label map must be uint8, the file holds NIfTI datatype {datatype}.");
        }

        Need(file, offset + (long)geometry.VoxelCount, name);
        return (geometry, file.Slice(offset, geometry.VoxelCount).ToArray());
    }

    private static (VolumeGeometry Geometry, short Datatype, int Offset) ReadHeader(ReadOnlySpan<byte> file, string name)
    {
        Need(file, HeaderSize + 4, name);
        if (BinaryPrimitives.ReadInt32LittleEndian(file) != HeaderSize || !file.Slice(344, 4).SequenceEqual("n+1\0"u8))
        {
            throw new InvalidDataException($"{name} is not a little-endian single-file NIfTI-1 volume.");
        }

        var rank = BinaryPrimitives.ReadInt16LittleEndian(file[40..]);
        var nx = BinaryPrimitives.ReadInt16LittleEndian(file[42..]);
        var ny = BinaryPrimitives.ReadInt16LittleEndian(file[44..]);
        var nz = BinaryPrimitives.ReadInt16LittleEndian(file[46..]);
        if (rank != 3 || nx < 1 || ny < 1 || nz < 1)
        {
            throw new InvalidDataException($"{name}: expected a 3-D grid, the header says rank {rank} with {nx}×{ny}×{nz}.");
        }

        if (BinaryPrimitives.ReadInt16LittleEndian(file[254..]) <= 0)
        {
            throw new InvalidDataException($"{name} has no sform: its position in the patient is unknown.");
        }

        var datatype = BinaryPrimitives.ReadInt16LittleEndian(file[70..]);
        var offset = (int)BinaryPrimitives.ReadSingleLittleEndian(file[108..]);
        var pix = new double[4];
        var srow = new double[3, 4];
        for (var n = 0; n < 4; n++)
        {
            pix[n] = BinaryPrimitives.ReadSingleLittleEndian(file[(76 + 4 * n)..]);
        }

        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                srow[r, c] = BinaryPrimitives.ReadSingleLittleEndian(file[(280 + 16 * r + 4 * c)..]);
            }
        }

        // RAS → LPS: x and y change sign; z stays.
        Vector3d Column(int c) => new(-srow[0, c], -srow[1, c], srow[2, c]);
        var geometry = new VolumeGeometry(nx, ny, nz, Column(3), Column(0), Column(1), Column(2), pix[1], pix[2], pix[3]);
        return (geometry, datatype, offset);
    }

    private static void Need(ReadOnlySpan<byte> file, long length, string name)
    {
        if (file.Length < length)
        {
            throw new InvalidDataException($"{name} is truncated: {file.Length} bytes, at least {length} needed.");
        }
    }
}

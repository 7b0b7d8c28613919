using System.Buffers.Binary;
using System.Text;
using LiverFlow.Imaging;

namespace LiverFlow.Ingest.Storage;

/// <summary>
/// Writes volumes as single-file NIfTI-1 (<c>.nii</c>): a 348-byte header, 4 bytes of extension flag,
/// then voxels with i fastest, exactly <see cref="ImageVolume"/>'s order, so any NIfTI reader
/// (nibabel, ITK, dcm2niix's users) opens them. The sform maps voxel index to RAS+ millimetres:
/// DICOM's LPS patient axes with x and y negated (the NIfTI convention dcm2niix also follows).
/// </summary>
public static class NiftiWriter
{
    public const string MediaType = "application/x-nifti";
    public const int HeaderSize = 348;
    public const float VoxelOffset = 352;

    public const short Float32 = 16;
    public const short UInt8 = 2;

    /// <summary>The voxel-index → LPS affine as a row-major 4×4 (what the ingest schema records).</summary>
    public static double[] AffineLps(VolumeGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var i = g.RowDirection * g.ColumnSpacing;
        var j = g.ColumnDirection * g.RowSpacing;
        var k = g.SliceDirection * g.SliceSpacing;
        return
        [
            i.X, j.X, k.X, g.Origin.X,
            i.Y, j.Y, k.Y, g.Origin.Y,
            i.Z, j.Z, k.Z, g.Origin.Z,
            0, 0, 0, 1,
        ];
    }

    /// <summary>The voxel-index → RAS affine (rows 0–2) written into the sform.</summary>
    public static double[] AffineRas(VolumeGeometry g)
    {
        var lps = AffineLps(g);
        var ras = (double[])lps.Clone();
        for (var c = 0; c < 4; c++)
        {
            ras[c] = -lps[c];
            ras[4 + c] = -lps[4 + c];
        }
        return ras;
    }

    public static void Write(Stream stream, ImageVolume volume, string description = "LiverFlow ingest")
    {
        ArgumentNullException.ThrowIfNull(volume);
        WriteHeader(stream, volume.Geometry, Float32, description);
        var buffer = new byte[4 * 8192];
        var voxels = volume.Voxels;
        for (var offset = 0; offset < voxels.Length; offset += 8192)
        {
            var n = Math.Min(8192, voxels.Length - offset);
            for (var v = 0; v < n; v++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * v), voxels[offset + v]);
            }
            stream.Write(buffer, 0, 4 * n);
        }
    }

    /// <summary>A label map (0 background, n = lesion n) on a grid, one byte per voxel.</summary>
    public static void WriteLabels(Stream stream, VolumeGeometry grid, byte[] labels, string description = "LiverFlow lesion labels")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != grid.VoxelCount)
        {
            throw new ArgumentException($"Label map holds {labels.Length} voxels, the grid {grid.VoxelCount}.", nameof(labels));
        }
        WriteHeader(stream, grid, UInt8, description);
        stream.Write(labels);
    }

    private static void WriteHeader(Stream stream, VolumeGeometry g, short datatype, string description)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var h = new byte[(int)VoxelOffset];
        var s = h.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, HeaderSize);
        // dim: rank 3, then the grid size; unused dimensions are 1.
        short[] dim = [3, (short)g.Columns, (short)g.Rows, (short)g.Slices, 1, 1, 1, 1];
        if (g.Columns > short.MaxValue || g.Rows > short.MaxValue || g.Slices > short.MaxValue)
        {
            throw new ArgumentException("NIfTI-1 cannot hold more than 32767 voxels along an axis.", nameof(g));
        }
        for (var n = 0; n < 8; n++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[(40 + 2 * n)..], dim[n]);
        }
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], datatype);
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], (short)(datatype == Float32 ? 32 : 8));
        float[] pixdim = [1, (float)g.ColumnSpacing, (float)g.RowSpacing, (float)g.SliceSpacing, 1, 1, 1, 1];
        for (var n = 0; n < 8; n++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[(76 + 4 * n)..], pixdim[n]);
        }
        BinaryPrimitives.WriteSingleLittleEndian(s[108..], VoxelOffset);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], 1); // scl_slope: voxels are already rescaled
        BinaryPrimitives.WriteSingleLittleEndian(s[116..], 0); // scl_inter
        s[123] = 2 | (8 << 3); // xyzt_units: millimetres, seconds
        var text = Encoding.ASCII.GetBytes(description.Length > 79 ? description[..79] : description);
        text.CopyTo(s[148..]);
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], 0); // qform_code: unknown; the sform is the reference
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], 1); // sform_code: scanner anatomical
        var ras = AffineRas(g);
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(s[(280 + 16 * r + 4 * c)..], (float)ras[4 * r + c]);
            }
        }
        "n+1\0"u8.CopyTo(s[344..]);
        // Bytes 348–351: no extensions.
        stream.Write(h);
    }
}

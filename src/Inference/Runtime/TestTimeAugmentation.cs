using LiverFlow.Imaging;

namespace LiverFlow.Inference.Runtime;

/// <summary>
/// Test-time augmentation by flips of the crop's axes (pass n flips X if bit 0 of n is set, Y for bit 1, Z for
/// bit 2; pass 0 is the crop itself). Flips are exact (no resampling), training augments with them, and
/// averaging the passes' outputs damps a model's sensitivity to orientation. Interpretation reuses it.
/// </summary>
public static class TestTimeAugmentation
{
    public const int MaxPasses = 8;

    /// <summary>Writes pass <paramref name="pass"/> of <paramref name="crop"/> into <paramref name="destination"/> (both 3×24×24×12).</summary>
    public static void Write(ReadOnlySpan<float> crop, int pass, Span<float> destination)
    {
        if (pass is < 0 or >= MaxPasses)
        {
            throw new ArgumentOutOfRangeException(nameof(pass), pass, $"A pass is 0–{MaxPasses - 1}.");
        }

        if (crop.Length != LesionCrop.Length || destination.Length < LesionCrop.Length)
        {
            throw new ArgumentException($"A crop holds {LesionCrop.Length} values.", nameof(crop));
        }

        if (pass == 0)
        {
            crop.CopyTo(destination);
            return;
        }

        bool flipX = (pass & 1) != 0, flipY = (pass & 2) != 0, flipZ = (pass & 4) != 0;
        for (var c = 0; c < LesionCrop.Channels; c++)
        {
            for (var x = 0; x < LesionCrop.SizeX; x++)
            {
                var sx = flipX ? LesionCrop.SizeX - 1 - x : x;
                for (var y = 0; y < LesionCrop.SizeY; y++)
                {
                    var sy = flipY ? LesionCrop.SizeY - 1 - y : y;
                    var to = LesionCrop.FlatIndex(c, x, y, 0);
                    var from = LesionCrop.FlatIndex(c, sx, sy, 0);
                    var row = crop.Slice(from, LesionCrop.SizeZ);
                    var target = destination.Slice(to, LesionCrop.SizeZ);
                    row.CopyTo(target);
                    if (flipZ)
                    {
                        target.Reverse();
                    }
                }
            }
        }
    }
}

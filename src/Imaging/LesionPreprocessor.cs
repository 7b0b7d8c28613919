namespace LiverFlow.Imaging;

/// <summary>
/// The one lesion preprocessing used for training export and for inference (after Hamm et al. 2019 and
/// clintonjwang/voi-classifier): the arterial, portal venous and delayed volumes are sampled around the
/// lesion on a 24×24×12 field whose voxel size is chosen per axis so that the lesion spans
/// <see cref="LesionFraction"/> of the field along each axis, then each channel is min–max scaled to [−1, 1].
/// </summary>
/// <remarks>
/// Field axes follow the arterial volume's grid: Z is its slice direction (the coarse axis, hence 12
/// samples), X and Y its in-plane directions. Each axis is flipped if needed so that it points to the
/// patient's left/posterior/superior side as much as possible, which makes the crop independent of
/// whether a scanner stores slices head-first or feet-first. Sampling is in world coordinates, so the
/// portal venous and delayed volumes need not share the arterial grid. Each field voxel averages 2×2×2
/// trilinear samples, which damps aliasing when a large lesion is shrunk into the field.
/// </remarks>
public sealed class LesionPreprocessor
{
    public const string PreprocessingId = "liverflow-lesion-crop";

    /// <summary>Bump whenever the output for the same input changes: model cards pin it.</summary>
    public const string PreprocessingVersion = "1.0";

    /// <summary>Share of the field spanned by the lesion along each axis (voi-classifier's lesion_ratio).</summary>
    public const double LesionFraction = 0.75;

    /// <summary>A crop that would take more than this share of its samples from outside the arterial volume is refused.</summary>
    public const double MaxOutsideFraction = 0.15;

    /// <summary>Smallest extent a lesion is given along any axis, so a one-voxel mask still makes a sensible field.</summary>
    public const double MinimumLesionExtentMm = 4.0;

    public LesionCrop Crop(ImageVolume arterial, ImageVolume portalVenous, ImageVolume delayed, LesionRegion lesion)
    {
        ArgumentNullException.ThrowIfNull(arterial);
        ArgumentNullException.ThrowIfNull(lesion);
        return Crop(arterial, portalVenous, delayed, PlanField(arterial.Geometry, lesion));
    }

    /// <summary>Where the field lies for a lesion on an arterial grid: its centre, axes and voxel size.</summary>
    public static LesionField PlanField(VolumeGeometry arterialGrid, LesionRegion lesion)
    {
        ArgumentNullException.ThrowIfNull(arterialGrid);
        ArgumentNullException.ThrowIfNull(lesion);
        var (axisX, axisY, axisZ) = FieldAxes(arterialGrid);
        var (minX, maxX) = lesion.Extent(axisX);
        var (minY, maxY) = lesion.Extent(axisY);
        var (minZ, maxZ) = lesion.Extent(axisZ);
        var extent = new Vector3d(
            Math.Max(maxX - minX, MinimumLesionExtentMm),
            Math.Max(maxY - minY, MinimumLesionExtentMm),
            Math.Max(maxZ - minZ, MinimumLesionExtentMm));
        var centre = axisX * ((minX + maxX) / 2) + axisY * ((minY + maxY) / 2) + axisZ * ((minZ + maxZ) / 2);
        var spacing = new Vector3d(
            extent.X / (LesionFraction * LesionCrop.SizeX),
            extent.Y / (LesionFraction * LesionCrop.SizeY),
            extent.Z / (LesionFraction * LesionCrop.SizeZ));
        return new LesionField(centre, axisX, axisY, axisZ, spacing, extent);
    }

    public LesionCrop Crop(ImageVolume arterial, ImageVolume portalVenous, ImageVolume delayed, LesionField field)
    {
        ArgumentNullException.ThrowIfNull(arterial);
        ArgumentNullException.ThrowIfNull(portalVenous);
        ArgumentNullException.ThrowIfNull(delayed);
        ArgumentNullException.ThrowIfNull(field);

        var data = new float[LesionCrop.Length];
        var phases = new[] { arterial, portalVenous, delayed };
        var outside = 0;
        var total = 0;
        Span<Vector3d> subSamples = stackalloc Vector3d[LesionField.SubSamplesPerVoxel];
        for (var x = 0; x < LesionCrop.SizeX; x++)
        {
            for (var y = 0; y < LesionCrop.SizeY; y++)
            {
                for (var z = 0; z < LesionCrop.SizeZ; z++)
                {
                    total++;
                    if (!arterial.ContainsWorld(field.VoxelCentre(x, y, z)))
                    {
                        outside++;
                    }

                    field.SubSamples(x, y, z, subSamples);
                    for (var c = 0; c < LesionCrop.Channels; c++)
                    {
                        double sum = 0;
                        foreach (var p in subSamples)
                        {
                            sum += phases[c].SampleWorld(p);
                        }

                        data[LesionCrop.FlatIndex(c, x, y, z)] = (float)(sum / subSamples.Length);
                    }
                }
            }
        }

        var outsideFraction = (double)outside / total;
        if (outsideFraction > MaxOutsideFraction)
        {
            throw new LesionCropException(FormattableString.Invariant(
                $"The lesion's field extends beyond the arterial volume: {outsideFraction:P0} of it lies outside (at most {MaxOutsideFraction:P0} is allowed)."));
        }

        for (var c = 0; c < LesionCrop.Channels; c++)
        {
            ScaleChannelToUnitRange(data, c);
        }

        return new LesionCrop(data, field.Centre, field.AxisX, field.AxisY, field.AxisZ, field.Spacing, field.LesionExtentMm, outsideFraction);
    }

    /// <summary>Field axes for an arterial grid: in-plane X, Y and slice-normal Z, each signed toward +L/+P/+S.</summary>
    public static (Vector3d X, Vector3d Y, Vector3d Z) FieldAxes(VolumeGeometry arterialGrid)
    {
        ArgumentNullException.ThrowIfNull(arterialGrid);
        return (Canonical(arterialGrid.RowDirection), Canonical(arterialGrid.ColumnDirection), Canonical(arterialGrid.SliceDirection));
    }

    private static Vector3d Canonical(Vector3d axis)
    {
        var dominant = Math.Abs(axis.X) >= Math.Abs(axis.Y) && Math.Abs(axis.X) >= Math.Abs(axis.Z) ? axis.X
            : Math.Abs(axis.Y) >= Math.Abs(axis.Z) ? axis.Y : axis.Z;
        return dominant < 0 ? -axis : axis;
    }

    private static void ScaleChannelToUnitRange(float[] data, int channel)
    {
        var start = channel * LesionCrop.SizeX * LesionCrop.SizeY * LesionCrop.SizeZ;
        var length = LesionCrop.SizeX * LesionCrop.SizeY * LesionCrop.SizeZ;
        var span = data.AsSpan(start, length);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in span)
        {
            if (!float.IsFinite(v))
            {
                throw new LesionCropException($"The {LesionCrop.ChannelPhases[channel]} crop contains a non-finite intensity.");
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        if (max - min <= 1e-6f * Math.Max(1f, Math.Abs(max)))
        {
            throw new LesionCropException($"The {LesionCrop.ChannelPhases[channel]} crop has no contrast (constant intensity {min}); the phase volume is blank around the lesion.");
        }

        var scale = 2f / (max - min);
        for (var n = 0; n < span.Length; n++)
        {
            span[n] = Math.Clamp((span[n] - min) * scale - 1f, -1f, 1f);
        }
    }
}

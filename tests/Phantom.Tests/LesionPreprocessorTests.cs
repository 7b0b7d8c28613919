using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Tests;

public class LesionPreprocessorTests
{
    private static readonly Vector3d SphereCentre = new(1.5, -2.25, 3.75);

    /// <summary>A 64×64×32 axial volume (1×1×2.5 mm) with a 10 mm-radius sphere of <paramref name="lesion"/> in <paramref name="background"/>.</summary>
    private static (ImageVolume Volume, ImageVolume Mask) SphereVolume(float background, float lesion, bool headFirst = false, VolumeGeometry? gridOverride = null)
    {
        var grid = gridOverride ?? (headFirst
            ? new VolumeGeometry(64, 64, 32, new Vector3d(-31.5, -31.5, 38.75), new(1, 0, 0), new(0, 1, 0), new(0, 0, -1), 1, 1, 2.5)
            : VolumeGeometry.Axial(64, 64, 32, new Vector3d(-31.5, -31.5, -38.75), 1, 1, 2.5));
        var volume = new ImageVolume(grid);
        var mask = new ImageVolume(grid);
        for (var k = 0; k < grid.Slices; k++)
        {
            for (var j = 0; j < grid.Rows; j++)
            {
                for (var i = 0; i < grid.Columns; i++)
                {
                    var p = grid.IndexToWorld(i, j, k);
                    var inside = (p - SphereCentre).Length <= 10;
                    // A gentle gradient keeps the background from being constant, as real liver never is.
                    volume[i, j, k] = inside ? lesion : background + (float)(0.2 * p.X + 0.1 * p.Z);
                    mask[i, j, k] = inside ? 1 : 0;
                }
            }
        }

        return (volume, mask);
    }

    [Fact]
    public void Crop_has_three_phase_channels_of_24_by_24_by_12_each_scaled_to_minus_one_to_one()
    {
        var (arterial, mask) = SphereVolume(100, 300);
        var (portal, _) = SphereVolume(200, 60);
        var (delayed, _) = SphereVolume(180, 90);
        var crop = new LesionPreprocessor().Crop(arterial, portal, delayed, LesionRegion.FromMask(mask));

        Assert.Equal(3 * 24 * 24 * 12, crop.Data.Length);
        Assert.Equal([3, 24, 24, 12], LesionCrop.Shape);
        for (var c = 0; c < 3; c++)
        {
            var channel = crop.Data.AsSpan(c * 24 * 24 * 12, 24 * 24 * 12).ToArray();
            Assert.Equal(-1f, channel.Min());
            Assert.Equal(1f, channel.Max());
        }

        // Arterial: hyperintense lesion at the centre; portal venous: hypointense (washout-like).
        Assert.True(crop[0, 12, 12, 6] > 0.9f);
        Assert.True(crop[1, 12, 12, 6] < -0.9f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Lesion_spans_three_quarters_of_the_field_along_each_axis(int axis)
    {
        var (arterial, mask) = SphereVolume(100, 300);
        var crop = new LesionPreprocessor().Crop(arterial, arterial, arterial, LesionRegion.FromMask(mask));
        var size = LesionCrop.Shape[axis + 1];
        var inside = 0;
        for (var n = 0; n < size; n++)
        {
            var value = axis switch
            {
                0 => crop[0, n, 12, 6],
                1 => crop[0, 12, n, 6],
                _ => crop[0, 12, 12, n],
            };
            inside += value > 0 ? 1 : 0;
        }

        // The mask's extent is the sphere plus half a voxel each side (2.5 mm slices along Z), so the sphere itself spans a little under 75%.
        var fraction = inside / (double)size;
        Assert.InRange(fraction, axis == 2 ? 0.55 : 0.62, 0.875);
        Assert.InRange(crop.LesionExtentMm[axis] / (crop.Spacing[axis] * size), 0.749, 0.751);
    }

    [Fact]
    public void Slices_stored_head_first_give_the_same_crop_as_feet_first()
    {
        var (feetFirst, feetMask) = SphereVolume(100, 300);
        var (headFirst, headMask) = SphereVolume(100, 300, headFirst: true);
        var preprocessor = new LesionPreprocessor();
        var a = preprocessor.Crop(feetFirst, feetFirst, feetFirst, LesionRegion.FromMask(feetMask));
        var b = preprocessor.Crop(headFirst, headFirst, headFirst, LesionRegion.FromMask(headMask));
        Assert.Equal(a.AxisZ, b.AxisZ);
        for (var n = 0; n < a.Data.Length; n++)
        {
            Assert.InRange(b.Data[n] - a.Data[n], -1e-4f, 1e-4f);
        }
    }

    [Fact]
    public void Phases_on_another_grid_are_sampled_in_world_coordinates()
    {
        var (arterial, mask) = SphereVolume(100, 300);
        var coarse = VolumeGeometry.Axial(40, 40, 20, new Vector3d(-30.2, -29.7, -40), 1.5, 1.5, 4);
        var (portalSameGrid, _) = SphereVolume(200, 60);
        var (portalOtherGrid, _) = SphereVolume(200, 60, gridOverride: coarse);
        var preprocessor = new LesionPreprocessor();
        var same = preprocessor.Crop(arterial, portalSameGrid, arterial, LesionRegion.FromMask(mask));
        var other = preprocessor.Crop(arterial, portalOtherGrid, arterial, LesionRegion.FromMask(mask));
        Assert.True(other[1, 12, 12, 6] < -0.8f, "the lesion centre must still be dark on the portal venous channel");
        Assert.True(other[1, 0, 0, 0] > 0.3f, "the field's corner is liver on the portal venous channel");
        var meanAbsoluteDifference = same.Data.Zip(other.Data).Average(p => Math.Abs(p.First - p.Second));
        Assert.True(meanAbsoluteDifference < 0.08, $"mean |difference| {meanAbsoluteDifference}");
    }

    [Fact]
    public void An_empty_mask_is_refused_with_its_reason()
    {
        var (volume, _) = SphereVolume(100, 300);
        var empty = new ImageVolume(volume.Geometry);
        var e = Assert.Throws<LesionCropException>(() => LesionRegion.FromMask(empty));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lesion_whose_field_falls_outside_the_volume_is_refused()
    {
        var (volume, _) = SphereVolume(100, 300);
        var corner = LesionRegion.FromVoxelBox(volume.Geometry, 0, 0, 0, 9, 9, 3);
        var e = Assert.Throws<LesionCropException>(() => new LesionPreprocessor().Crop(volume, volume, volume, corner));
        Assert.Contains("beyond the arterial volume", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_phase_is_refused_rather_than_scaled()
    {
        var (volume, mask) = SphereVolume(100, 300);
        var blank = new ImageVolume(volume.Geometry);
        var e = Assert.Throws<LesionCropException>(() => new LesionPreprocessor().Crop(volume, blank, volume, LesionRegion.FromMask(mask)));
        Assert.Contains("PortalVenous crop has no contrast", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1)]
    [InlineData(-1, 0, 0, 0, -1, 0, 0, 0, -1, 1, 0, 0, 0, 1, 0, 0, 0, 1)]
    [InlineData(1, 0, 0, 0, 0, -1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0)]
    public void Field_axes_point_left_posterior_superior_whatever_the_stored_direction(
        double rx, double ry, double rz, double cx, double cy, double cz, double sx, double sy, double sz,
        double ex, double ey, double ez, double fx, double fy, double fz, double gx, double gy, double gz)
    {
        var grid = new VolumeGeometry(4, 4, 4, Vector3d.Zero, new(rx, ry, rz), new(cx, cy, cz), new(sx, sy, sz), 1, 1, 1);
        var (x, y, z) = LesionPreprocessor.FieldAxes(grid);
        Assert.Equal(new Vector3d(ex, ey, ez), x);
        Assert.Equal(new Vector3d(fx, fy, fz), y);
        Assert.Equal(new Vector3d(gx, gy, gz), z);
    }
}

using LiverFlow.Imaging;
using LiverFlow.Ingest.Volumes;

namespace LiverFlow.Ingest.Tests;

public sealed class SliceStackBuilderTests
{
    private static readonly Vector3d X = new(1, 0, 0), Y = new(0, 1, 0), Z = new(0, 0, 1);

    private static SliceHeader Slice(int instance, Vector3d position, Vector3d? row = null, Vector3d? column = null, double? thickness = null) => new()
    {
        SopInstanceUid = $"1.2.{instance}",
        InstanceNumber = instance,
        ImagePositionPatient = position,
        RowDirection = row ?? X,
        ColumnDirection = column ?? Y,
        RowSpacing = 0.8,
        ColumnSpacing = 0.7,
        Rows = 64,
        Columns = 48,
        SliceThickness = thickness,
    };

    private static List<SliceHeader> Axial(int count, double spacing, double z0 = -50) =>
        Enumerable.Range(0, count).Select(k => Slice(k + 1, new Vector3d(-100, -120, z0 + k * spacing))).ToList();

    [Fact]
    public void Slices_are_ordered_by_position_along_the_normal_not_by_instance_number()
    {
        // Instance numbers run head to feet while positions run feet to head, and arrive shuffled.
        var slices = Enumerable.Range(0, 10).Select(k => Slice(10 - k, new Vector3d(-100, -120, -50 + 3 * k))).Reverse().ToList();
        (slices[2], slices[7]) = (slices[7], slices[2]);

        var stack = Assert.Single(SliceStackBuilder.Build(slices).Stacks);

        Assert.Equal(Enumerable.Range(0, 10).Select(k => -50.0 + 3 * k), stack.Slices.Select(s => s.ImagePositionPatient.Z));
        Assert.Equal(new Vector3d(-100, -120, -50), stack.Geometry.Origin);
        Assert.Equal(3.0, stack.Geometry.SliceSpacing, 6);
        Assert.Equal(Z, stack.Geometry.SliceDirection);
        Assert.Equal((48, 64, 10), (stack.Geometry.Columns, stack.Geometry.Rows, stack.Geometry.Slices));
        Assert.Equal(0.7, stack.Geometry.ColumnSpacing);
        Assert.Equal(0.8, stack.Geometry.RowSpacing);
    }

    [Fact]
    public void Spacing_comes_from_positions_and_a_different_slice_thickness_is_noted()
    {
        // As in the TCIA series: 5 mm thick slices every 6.5 mm.
        var slices = Enumerable.Range(0, 6).Select(k => Slice(k + 1, new Vector3d(0, 0, 6.5 * k), thickness: 5)).ToList();

        var stack = Assert.Single(SliceStackBuilder.Build(slices).Stacks);

        Assert.Equal(6.5, stack.Geometry.SliceSpacing, 6);
        Assert.Contains(stack.Notes, n => n.Contains("differs from SliceThickness 5", StringComparison.Ordinal));
    }

    [Fact]
    public void A_series_with_three_orientations_is_split_never_stacked()
    {
        // A tri-plane survey: axial, coronal and sagittal images in one series.
        var axial = Enumerable.Range(0, 3).Select(k => Slice(k + 1, new Vector3d(0, 0, 10 * k)));
        var coronal = Enumerable.Range(0, 3).Select(k => Slice(k + 4, new Vector3d(0, 10 * k, 0), X, -Z));
        var sagittal = Enumerable.Range(0, 3).Select(k => Slice(k + 7, new Vector3d(10 * k, 0, 0), Y, -Z));

        var result = SliceStackBuilder.Build([.. axial, .. coronal, .. sagittal]);

        Assert.Equal(3, result.Stacks.Count);
        Assert.Empty(result.Rejected);
        Assert.All(result.Stacks, s => Assert.Equal(3, s.Geometry.Slices));
        Assert.All(result.Stacks, s => Assert.Contains("one of 3 orientations", s.Notes[0], StringComparison.Ordinal));
        // Normal = row × column: axial +Z, coronal X × (−Z) = +Y, sagittal Y × (−Z) = −X.
        Assert.Equal([Z, Y, -X], result.Stacks.Select(s => s.Geometry.SliceDirection));
    }

    [Fact]
    public void A_gap_rejects_the_stack_and_says_how_many_slices_are_missing()
    {
        var slices = Axial(8, 2.5);
        slices.RemoveAt(4);
        slices.RemoveAt(4);

        var result = SliceStackBuilder.Build(slices);

        Assert.Empty(result.Stacks);
        Assert.Contains("about 2 slice(s) missing", Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Irregular_spacing_is_rejected()
    {
        var slices = Axial(6, 2.0);
        slices[3] = slices[3] with { ImagePositionPatient = slices[3].ImagePositionPatient + new Vector3d(0, 0, 0.7) };

        var reason = Assert.Single(SliceStackBuilder.Build(slices).Rejected).Reason;

        Assert.Contains("irregular slice spacing", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_positions_are_rejected_with_the_instances_named()
    {
        var slices = Axial(5, 3.0);
        slices.Add(Slice(99, slices[2].ImagePositionPatient));

        var reason = Assert.Single(SliceStackBuilder.Build(slices).Rejected).Reason;

        Assert.Contains("share a slice position", reason, StringComparison.Ordinal);
        Assert.Contains("99", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Frames_all_at_one_position_are_not_a_volume()
    {
        var slices = Enumerable.Range(0, 4).Select(k => Slice(k + 1, new Vector3d(0, 0, 7)) with { FrameIndex = k }).ToList();

        var reason = Assert.Single(SliceStackBuilder.Build(slices).Rejected).Reason;

        Assert.Contains("all 4 images lie at one position", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_image_is_not_a_volume()
    {
        Assert.Contains("single image", Assert.Single(SliceStackBuilder.Build(Axial(1, 1)).Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sheared_slices_are_rejected()
    {
        var slices = Enumerable.Range(0, 5).Select(k => Slice(k + 1, new Vector3d(0, 2.0 * k, 3.0 * k))).ToList();

        Assert.Contains("offset in-plane", Assert.Single(SliceStackBuilder.Build(slices).Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oblique_stack_keeps_its_orientation_and_every_slice_maps_back_to_its_position()
    {
        var angle = 20 * Math.PI / 180;
        var row = new Vector3d(Math.Cos(angle), Math.Sin(angle), 0);
        var column = new Vector3d(0, 0, -1);
        var normal = row.Cross(column);
        var slices = Enumerable.Range(0, 7).Select(k => Slice(k + 1, new Vector3d(5, 6, 7) + normal * (4.0 * k), row, column)).ToList();

        var stack = Assert.Single(SliceStackBuilder.Build(slices).Stacks);

        for (var k = 0; k < 7; k++)
        {
            Assert.True((stack.Geometry.SlicePosition(k) - stack.Slices[k].ImagePositionPatient).Length < 1e-9);
        }
    }
}

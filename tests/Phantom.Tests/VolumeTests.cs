using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Tests;

public class VolumeTests
{
    [Fact]
    public void World_and_index_coordinates_are_inverse_on_an_oblique_grid()
    {
        var angle = 0.3;
        var grid = new VolumeGeometry(10, 12, 8, new Vector3d(-5, 7, 20), new(Math.Cos(angle), Math.Sin(angle), 0), new(-Math.Sin(angle), Math.Cos(angle), 0), new(0, 0, -1), 0.8, 0.9, 3);
        var world = grid.IndexToWorld(3.25, 7.5, 2.75);
        var (i, j, k) = grid.WorldToIndex(world);
        Assert.Equal(3.25, i, 9);
        Assert.Equal(7.5, j, 9);
        Assert.Equal(2.75, k, 9);
        Assert.Equal(20 - 3 * 2.75, world.Z, 9);
    }

    [Fact]
    public void Trilinear_resampling_reproduces_a_linear_field_exactly()
    {
        var source = VolumeGeometry.Axial(20, 20, 10, new Vector3d(0, 0, 0), 1, 1, 2);
        var volume = new ImageVolume(source);
        for (var k = 0; k < 10; k++)
        {
            for (var j = 0; j < 20; j++)
            {
                for (var i = 0; i < 20; i++)
                {
                    var p = source.IndexToWorld(i, j, k);
                    volume[i, j, k] = (float)(2 * p.X - p.Y + 0.5 * p.Z);
                }
            }
        }

        var target = VolumeGeometry.Axial(7, 6, 5, new Vector3d(2.3, 3.1, 1.7), 1.7, 1.9, 2.9);
        var resampled = volume.ResampleTo(target);
        for (var k = 0; k < 5; k++)
        {
            for (var j = 0; j < 6; j++)
            {
                for (var i = 0; i < 7; i++)
                {
                    var p = target.IndexToWorld(i, j, k);
                    Assert.Equal(2 * p.X - p.Y + 0.5 * p.Z, resampled[i, j, k], 3);
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 0)]
    public void A_grid_without_voxels_is_refused(int columns, int rows, int slices) =>
        Assert.Throws<ArgumentException>(() => VolumeGeometry.Axial(columns, rows, slices, Vector3d.Zero, 1, 1, 1));

    [Fact]
    public void Npy_files_read_back_in_numpy_with_shape_and_values()
    {
        var dir = TestEnvironment.TempDirectory("npy");
        var path = Path.Combine(dir, "a.npy");
        NpyWriter.Write(path, new float[] { 1.5f, -2f, 3.25f, 0f, 1e-3f, -7f }, [2, 3]);
        var script = Path.Combine(dir, "read.py");
        File.WriteAllText(script, "import sys, numpy as np\na = np.load(sys.argv[1])\nprint(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], repr(a[1, 2]), repr(a[0, 2]))\n");
        var output = TestEnvironment.RunPython(script, path);
        Assert.Equal("float32 (2, 3) True -7.0 3.25", output.Trim());
        var (data, shape) = NpyReader.Read(path);
        Assert.Equal([2, 3], shape);
        Assert.Equal(-7f, data[5]);
    }
}

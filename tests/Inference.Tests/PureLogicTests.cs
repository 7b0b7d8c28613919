using LiverFlow.Imaging;
using LiverFlow.Inference.Runtime;

namespace LiverFlow.Inference.Tests;

public class PureLogicTests
{
    private static float[] NumberedCrop() => Enumerable.Range(0, LesionCrop.Length).Select(i => (float)i).ToArray();

    [Fact]
    public void Pass_zero_of_test_time_augmentation_is_the_crop_itself()
    {
        var crop = NumberedCrop();
        var output = new float[LesionCrop.Length];
        TestTimeAugmentation.Write(crop, 0, output);
        Assert.Equal(crop, output);
    }

    [Theory]
    [InlineData(1, true, false, false)]
    [InlineData(2, false, true, false)]
    [InlineData(4, false, false, true)]
    [InlineData(7, true, true, true)]
    public void Each_pass_flips_the_axes_named_by_its_bits(int pass, bool flipX, bool flipY, bool flipZ)
    {
        var crop = NumberedCrop();
        var output = new float[LesionCrop.Length];
        TestTimeAugmentation.Write(crop, pass, output);
        foreach (var (c, x, y, z) in new[] { (0, 0, 0, 0), (1, 3, 17, 5), (2, 23, 23, 11), (2, 10, 0, 7) })
        {
            var sx = flipX ? LesionCrop.SizeX - 1 - x : x;
            var sy = flipY ? LesionCrop.SizeY - 1 - y : y;
            var sz = flipZ ? LesionCrop.SizeZ - 1 - z : z;
            Assert.Equal(crop[LesionCrop.FlatIndex(c, sx, sy, sz)], output[LesionCrop.FlatIndex(c, x, y, z)]);
        }

        // A flip undone by itself gives the crop back: no value is lost or moved across channels.
        var back = new float[LesionCrop.Length];
        TestTimeAugmentation.Write(output, pass, back);
        Assert.Equal(crop, back);
    }

    [Fact]
    public void A_pass_outside_the_eight_flips_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestTimeAugmentation.Write(NumberedCrop(), 8, new float[LesionCrop.Length]));
    }

    [Fact]
    public void Dense_activations_round_trip_through_the_compact_column()
    {
        float[] values = [0f, 1.5f, -2.25f, float.Epsilon, 1e30f, 0.1f];
        var bytes = ResultMath.ToBytes(values);
        Assert.Equal(24, bytes.Length);
        Assert.Equal(values, ResultMath.FromBytes(bytes));
        // Little-endian whatever the host: 1.5f is 0x3FC00000.
        Assert.Equal(new byte[] { 0x00, 0x00, 0xC0, 0x3F }, bytes[4..8]);
        Assert.Throws<ArgumentException>(() => ResultMath.FromBytes(new byte[5]));
    }

    [Theory]
    [InlineData(new float[] { 0.1f, 0.7f, 0.2f }, 1)]
    [InlineData(new float[] { 0.5f, 0.5f, 0f }, 0)]
    [InlineData(new float[] { 0f, 0f, 0.01f }, 2)]
    public void The_predicted_class_is_the_most_probable_and_ties_go_to_the_first(float[] probabilities, int expected)
    {
        Assert.Equal(expected, ResultMath.ArgMax(probabilities));
    }

    [Fact]
    public void Asking_for_cpu_gives_cpu_without_a_fallback_reason()
    {
        var choice = SessionOptionsFactory.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu });
        using (choice.Options)
        {
            Assert.Equal(SessionOptionsFactory.Cpu, choice.Provider);
            Assert.Null(choice.FallbackReason);
            Assert.Equal(Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, choice.Options.GraphOptimizationLevel);
        }
    }
}

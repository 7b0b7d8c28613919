using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LiverFlow.ServiceDefaults;

public static class OptionsExtensions
{
    /// <summary>
    /// Binds a section, validates it with data annotations and fails at start-up rather than on the
    /// first study: a misconfigured worker should never accept work it cannot finish.
    /// </summary>
    public static OptionsBuilderResult<TOptions> AddValidatedOptions<TOptions>(
        this IServiceCollection services, IConfiguration configuration, string sectionName)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(sectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return new OptionsBuilderResult<TOptions>(builder);
    }
}

/// <summary>Lets callers chain extra validation after <see cref="OptionsExtensions.AddValidatedOptions{TOptions}"/>.</summary>
public readonly record struct OptionsBuilderResult<TOptions>(Microsoft.Extensions.Options.OptionsBuilder<TOptions> Builder)
    where TOptions : class
{
    public OptionsBuilderResult<TOptions> Validate(Func<TOptions, bool> validation, string failureMessage)
        => new(Builder.Validate(validation, failureMessage));
}

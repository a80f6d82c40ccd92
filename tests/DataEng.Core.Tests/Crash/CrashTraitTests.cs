namespace DataEng.Core.Tests.Crash;

/// <summary>
/// <c>dotnet test --filter Category!=Crash</c> runs the fast tests alone only if every crash suite says it is one: a
/// class in the crash collection (the suites that start and kill real processes) carries the Crash trait.
/// </summary>
public sealed class CrashTraitTests
{
    [Fact]
    public void EveryClassInTheCrashCollection_HasTheCrashCategoryTrait()
    {
        var suites = typeof(CrashTraitTests).Assembly.GetTypes()
            .Where(static t => t.GetCustomAttributesData().Any(static a => a.AttributeType == typeof(CollectionAttribute) && (string?)a.ConstructorArguments[0].Value == CrashCollection.Name))
            .ToList();

        Assert.NotEmpty(suites);
        Assert.All(suites, static suite => Assert.True(
            suite.GetCustomAttributesData().Any(static a => a.AttributeType == typeof(TraitAttribute)
                && (string?)a.ConstructorArguments[0].Value == "Category" && (string?)a.ConstructorArguments[1].Value == CrashCollection.Category),
            $"{suite.Name} is in the crash collection but lacks [Trait(\"Category\", CrashCollection.Category)]"));
    }
}

using Xunit.Abstractions;
using Xunit.Sdk;

namespace DataEng.Core.Tests.Checkpoints;

/// <summary>
/// A fact of a contract test base class. When the derived test class is marked <see cref="RequiresPostgresAttribute"/>
/// and no PostgreSQL server is reachable, the test is reported as skipped with the reason (never as passed).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("DataEng.Core.Tests.Checkpoints.StoreFactDiscoverer", "DataEng.Core.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a test class whose tests need PostgreSQL (see <see cref="PostgresFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new StoreTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

public sealed class StoreTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, options, testMethod)
    {
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute)
    {
        var needsPostgres = TestMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute).AssemblyQualifiedName).Any();
        return needsPostgres && PostgresFactAttribute.SkipReason is { } reason ? reason : base.GetSkipReason(factAttribute);
    }
}

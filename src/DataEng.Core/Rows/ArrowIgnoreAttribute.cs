namespace DataEng.Core;

/// <summary>Leaves a property out of the mapping: it gets no column and is not set when rows are read.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class ArrowIgnoreAttribute : Attribute
{
}

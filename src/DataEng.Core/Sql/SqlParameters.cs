using System.Collections;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace DataEng.Core;

/// <summary>Reads query parameters from an anonymous object or a dictionary, and binds them as <see cref="DbParameter"/>s.</summary>
internal static class SqlParameters
{
    /// <summary>Reads the parameters once: the public readable properties of an object (anonymous types included), or
    /// the entries of an <see cref="IReadOnlyDictionary{TKey, TValue}"/> / <see cref="IDictionary{TKey, TValue}"/>.</summary>
    /// <param name="parameters">The parameters, or <see langword="null"/>.</param>
    /// <returns>Name/value pairs, in declaration order.</returns>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Parameter objects are user types whose public properties are read.")]
    public static IReadOnlyList<KeyValuePair<string, object?>> From(object? parameters)
    {
        switch (parameters)
        {
            case null:
                return [];
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                return Validate([.. pairs]);
            case IDictionary dictionary:
                var entries = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry entry in dictionary)
                {
                    entries.Add(new(entry.Key as string ?? throw new ArgumentException("Parameter names must be strings.", nameof(parameters)), entry.Value));
                }

                return Validate(entries);
            case string or ValueType:
                throw new ArgumentException("Parameters must be an object with properties (for example an anonymous object) or a dictionary of names to values.", nameof(parameters));
            default:
                var properties = parameters.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
                var list = new List<KeyValuePair<string, object?>>(properties.Length);
                foreach (var property in properties)
                {
                    if (property.CanRead && property.GetIndexParameters().Length == 0)
                    {
                        list.Add(new(property.Name, property.GetValue(parameters)));
                    }
                }

                return Validate(list);
        }
    }

    /// <summary>Adds the parameters to a command. Values are bound, never written into the SQL text.</summary>
    /// <param name="command">The command.</param>
    /// <param name="parameters">The name/value pairs; <see langword="null"/> values are bound as <see cref="DBNull"/>.</param>
    public static void Bind(DbCommand command, IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }

    private static List<KeyValuePair<string, object?>> Validate(List<KeyValuePair<string, object?>> parameters)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, _) in parameters)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A parameter name is empty.", nameof(parameters));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"The parameter '{name}' is given twice.", nameof(parameters));
            }
        }

        return parameters;
    }
}

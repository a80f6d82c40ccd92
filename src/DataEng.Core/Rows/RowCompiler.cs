using System.Linq.Expressions;
using System.Reflection;

namespace DataEng.Core;

/// <summary>
/// Compiles the per-type code of a <see cref="RowMapper{T}"/> with expression trees: a loop per property that copies
/// the property of every row into a value array (writing), and a loop that constructs every row from the value arrays
/// of its columns (reading, through the constructor and/or setters and init accessors).
/// </summary>
internal static class RowCompiler
{
    public static MemberWriter<T>[] CreateWriters<T>(RowMember[] members)
    {
        var writers = new MemberWriter<T>[members.Length];
        for (var m = 0; m < members.Length; m++)
        {
            var member = members[m];
            var encoder = ColumnCodecs.CreateEncoder(member);
            var extract = CompileExtractor(typeof(T), member.Property);
            writers[m] = (MemberWriter<T>)Activator.CreateInstance(typeof(MemberWriter<,>).MakeGenericType(typeof(T), member.Type), extract, encoder)!;
        }

        return writers;
    }

    public static RowReaderPlan<T> CreateReader<T>(RowMember[] members)
    {
        var type = typeof(T);
        var problems = new List<string>();
        var name = RowTypeNames.Display(type);
        if (type.IsAbstract || type.IsInterface)
        {
            problems.Add($"type '{name}' is abstract or an interface, so rows cannot be created; read into a concrete type.");
            return Failed<T>(problems);
        }

        var constructor = ChooseConstructor(type, members, problems);
        if (problems.Count > 0)
        {
            return Failed<T>(problems);
        }

        var slots = new List<RowMember>();
        var parameters = constructor?.GetParameters() ?? [];
        var arguments = new (RowMember? Member, ParameterInfo Parameter)[parameters.Length];
        for (var p = 0; p < parameters.Length; p++)
        {
            var member = Match(members, parameters[p]);
            arguments[p] = (member, parameters[p]);
            if (member is not null)
            {
                slots.Add(member);
            }
        }

        var setters = members.Where(m => !slots.Contains(m) && m.CanSet).ToList();
        slots.AddRange(setters);
        if (slots.Count == 0)
        {
            problems.Add($"type '{name}' has no public settable or init-only properties and no constructor parameters matching its properties, so nothing can be read into it.");
            return Failed<T>(problems);
        }

        var columns = Expression.Parameter(typeof(Array[]), "columns");
        var count = Expression.Parameter(typeof(int), "count");
        var destination = Expression.Parameter(type.MakeArrayType(), "destination");
        var index = Expression.Variable(typeof(int), "i");
        var arrays = slots.Select((s, k) => Expression.Variable(s.Type.MakeArrayType(), "column" + k)).ToArray();
        var body = new List<Expression>();
        for (var k = 0; k < arrays.Length; k++)
        {
            body.Add(Expression.Assign(arrays[k], Expression.Convert(Expression.ArrayIndex(columns, Expression.Constant(k)), arrays[k].Type)));
        }

        Expression ValueOf(RowMember member) => Expression.ArrayIndex(arrays[slots.IndexOf(member)], index);

        NewExpression create = constructor is null
            ? Expression.New(type)
            : Expression.New(constructor, arguments.Select(a => a.Member is not null ? ValueOf(a.Member) : DefaultOf(a.Parameter)));
        Expression row = setters.Count == 0
            ? create
            : Expression.MemberInit(create, setters.Select(s => (MemberBinding)Expression.Bind(s.Property, ValueOf(s))));
        var end = Expression.Label("end");
        body.Add(Expression.Assign(index, Expression.Constant(0)));
        body.Add(Expression.Loop(
            Expression.IfThenElse(
                Expression.LessThan(index, count),
                Expression.Block(
                    Expression.Assign(Expression.ArrayAccess(destination, index), row),
                    Expression.PostIncrementAssign(index)),
                Expression.Break(end)),
            end));
        var lambda = Expression.Lambda<Action<Array[], int, T[]>>(Expression.Block([index, .. arrays], body), columns, count, destination);
        return new RowReaderPlan<T>([.. slots], lambda.Compile(), []);
    }

    private static Delegate CompileExtractor(Type rowType, PropertyInfo property)
    {
        var rows = Expression.Parameter(rowType.MakeArrayType(), "rows");
        var count = Expression.Parameter(typeof(int), "count");
        var values = Expression.Parameter(property.PropertyType.MakeArrayType(), "values");
        var index = Expression.Variable(typeof(int), "i");
        var end = Expression.Label("end");
        var body = Expression.Block(
            [index],
            Expression.Assign(index, Expression.Constant(0)),
            Expression.Loop(
                Expression.IfThenElse(
                    Expression.LessThan(index, count),
                    Expression.Block(
                        Expression.Assign(Expression.ArrayAccess(values, index), Expression.Property(Expression.ArrayAccess(rows, index), property)),
                        Expression.PostIncrementAssign(index)),
                    Expression.Break(end)),
                end));
        var delegateType = typeof(Action<,,>).MakeGenericType(rows.Type, typeof(int), values.Type);
        return Expression.Lambda(delegateType, body, rows, count, values).Compile();
    }

    /// <summary>
    /// Picks the constructor used to create rows: a public parameterless one if any (then properties are set);
    /// otherwise the public constructor with the most parameters that all match a mapped property by name (ignoring
    /// case) and type, or have a default value — the primary constructor of a positional record.
    /// </summary>
    private static ConstructorInfo? ChooseConstructor(Type type, RowMember[] members, List<string> problems)
    {
        var name = RowTypeNames.Display(type);
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        var parameterless = Array.Find(constructors, static c => c.GetParameters().Length == 0);
        if (parameterless is not null)
        {
            return parameterless;
        }

        var usable = constructors
            .Where(c => c.GetParameters().All(p => Match(members, p) is not null || p.HasDefaultValue))
            .OrderByDescending(static c => c.GetParameters().Length)
            .ToList();
        if (usable.Count > 1 && usable[0].GetParameters().Length == usable[1].GetParameters().Length)
        {
            problems.Add($"type '{name}' has several public constructors with {usable[0].GetParameters().Length} parameters matching its properties; add a public parameterless constructor or keep one.");
            return null;
        }

        if (usable.Count > 0)
        {
            return usable[0];
        }

        if (type.IsValueType)
        {
            return null;
        }

        if (constructors.Length == 0)
        {
            problems.Add($"type '{name}' has no public constructor, so rows cannot be created.");
            return null;
        }

        var best = constructors.OrderByDescending(static c => c.GetParameters().Length).First();
        foreach (var parameter in best.GetParameters().Where(p => Match(members, p) is null && !p.HasDefaultValue))
        {
            problems.Add($"constructor parameter '{parameter.Name}' ({RowTypeNames.Display(parameter.ParameterType)}) of '{name}' matches no mapped property " +
                "of the same type (matched by name, ignoring case); rows cannot be created.");
        }

        return null;
    }

    private static RowMember? Match(RowMember[] members, ParameterInfo parameter)
        => Array.Find(members, m => string.Equals(m.Property.Name, parameter.Name, StringComparison.OrdinalIgnoreCase) && m.Type == parameter.ParameterType);

    private static Expression DefaultOf(ParameterInfo parameter)
        => parameter.DefaultValue is null or DBNull
            ? Expression.Default(parameter.ParameterType)
            : Expression.Convert(Expression.Constant(parameter.DefaultValue), parameter.ParameterType);

    private static RowReaderPlan<T> Failed<T>(List<string> problems) => new([], static (_, _, _) => { }, problems);
}

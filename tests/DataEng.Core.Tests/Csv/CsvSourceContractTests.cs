using System.Globalization;
using System.Text;
using DataEng.Core.Tests.Stages;

namespace DataEng.Core.Tests.Csv;

public sealed class CsvSourceContractTests : SourceContractTests
{
    protected override ISource CreateSource()
    {
        var path = Path.Combine(Folder, "contract.csv");
        if (!File.Exists(path))
        {
            var text = new StringBuilder("Id,Name,Amount\n");
            foreach (var row in ContractData.AllRows())
            {
                text.Append(CultureInfo.InvariantCulture, $"{row.Id},{row.Name},{row.Amount?.ToString("R", CultureInfo.InvariantCulture)}\n");
            }

            File.WriteAllText(path, text.ToString());
        }

        return Core.Csv.File(path, new CsvSourceOptions { BatchSize = ContractData.BatchSize });
    }

    protected override void AssertResourcesReleased()
    {
        // The file is not held open: it can be opened for exclusive writing.
        using var exclusive = new FileStream(Path.Combine(Folder, "contract.csv"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }
}

using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using ThrottleFs.Configuration;

namespace ThrottleFs.Cli;

/// <summary><c>throttlefs import-libvirt DOMAIN.xml [--disk TARGET] [--output FILE]</c>.</summary>
internal static class ImportLibvirtCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,

        // The file is read by people and by ThrottleFs, never embedded in HTML, so an image named "vm's disk.img"
        // should read as such rather than as "vm\u0027s disk.img".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var domainXml = new Argument<string>("DOMAIN.xml")
        {
            Description = "The domain's XML as 'virsh dumpxml DOMAIN' prints it, e.g. saved with 'virsh dumpxml vm1 > vm1.xml'.",
        };
        var disk = new Option<string?>("--disk")
        {
            Description = "Import only the disk with this target device, as <target dev='vda'/> and 'virsh domblklist DOMAIN' name it.",
            HelpName = "TARGET",
        };
        var outputFile = new Option<string?>("--output")
        {
            Description = "Write the config to FILE instead of standard output.",
            HelpName = "FILE",
        };

        var command = new Command(
            "import-libvirt",
            "Turn the disk limits of a libvirt domain into a ThrottleFs config file. Reads the XML 'virsh dumpxml DOMAIN' " +
            "prints (e.g. virsh dumpxml vm1 > vm1.xml). Every disk with <iotune> or <throttlefilters> becomes a rule that " +
            "matches its image's file name, with the limits under their QEMU names (total_iops_sec becomes iops-total; 0, " +
            "libvirt's 'no limit', is left out); <group_name> and <throttlegroups> become groups. Network and volume disks " +
            "have no file to match and are skipped with a warning. Writes JSON to standard output, warnings to standard error.")
        {
            domainXml, disk, outputFile,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(domainXml)!;
            XDocument domain;
            try
            {
                domain = XDocument.Load(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"throttlefs: cannot read '{path}': {e.Message}");
                return ExitCodes.Failure;
            }
            catch (XmlException e)
            {
                error.WriteLine($"throttlefs: '{path}' is not well-formed XML: {e.Message}");
                return ExitCodes.Failure;
            }

            LibvirtImportResult imported;
            try
            {
                imported = LibvirtImport.Convert(domain, result.GetValue(disk));
            }
            catch (LibvirtImportException e)
            {
                WriteWarnings(e.Warnings, error);
                foreach (var problem in e.Errors)
                {
                    error.WriteLine($"throttlefs: {path}: {problem}");
                }

                return ExitCodes.Failure;
            }

            WriteWarnings(imported.Warnings, error);
            var json = imported.Config.ToJsonString(JsonOptions) + "\n";
            if (result.GetValue(outputFile) is not { } file)
            {
                output.Write(json);
                return ExitCodes.Success;
            }

            try
            {
                File.WriteAllText(file, json);
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"throttlefs: cannot write '{file}': {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static void WriteWarnings(IReadOnlyList<string> warnings, TextWriter error)
    {
        foreach (var warning in warnings)
        {
            error.WriteLine($"throttlefs: warning: {warning}");
        }
    }
}

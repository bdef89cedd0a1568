using System.Text.Json.Nodes;

namespace ThrottleFs.Tests;

/// <summary>
/// Deep equality of JSON against the JSON text expected, which is easier to read in a test than nodes built in code;
/// a failure shows both documents in their compact form, one above the other.
/// </summary>
internal static class JsonAssert
{
    public static void Equal(string expected, JsonNode actual)
    {
        var expectedNode = JsonNode.Parse(expected)!;
        Assert.True(
            JsonNode.DeepEquals(expectedNode, actual),
            $"expected {expectedNode.ToJsonString()}{Environment.NewLine}actual   {actual.ToJsonString()}");
    }
}

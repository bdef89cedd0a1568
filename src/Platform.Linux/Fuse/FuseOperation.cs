namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Handles one request. Returns true when the request keeps its workspace because it completes later (it waits
/// for its throttle); the reader then takes a fresh workspace.
/// </summary>
internal delegate bool FuseHandler(FuseDispatcher dispatcher, FuseWorkspace workspace, in FuseRequest request);

/// <summary>One row of the opcode table: what an opcode is called, the least input it needs, and who handles it.</summary>
/// <param name="Name">The opcode's name, for traces.</param>
/// <param name="MinimumInput">Bytes of input after the header the request must have; fewer is answered with EIO.</param>
/// <param name="Handler">The handler.</param>
/// <param name="NoReply">The kernel expects no reply (FORGET, BATCH_FORGET, INTERRUPT).</param>
internal sealed record FuseOperation(string Name, int MinimumInput, FuseHandler Handler, bool NoReply = false);

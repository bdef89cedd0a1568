using ThrottleFs.Cli;
using ThrottleFs.Platform.Linux;

return ThrottleFsCommandLine.Run(args, new FuseMountHost());

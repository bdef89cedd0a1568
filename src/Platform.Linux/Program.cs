using ThrottleFs.Cli;
using ThrottleFs.Platform.Linux.Hosting;

return ThrottleFsCommandLine.Run(args, new FuseMountHost());

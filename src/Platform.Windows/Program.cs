using ThrottleFs.Cli;
using ThrottleFs.Platform.Windows;

return ThrottleFsCommandLine.Run(args, new DokanMountHost());

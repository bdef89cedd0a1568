// Mount tests measure rates and drive fio and QEMU: running them side by side would make them measure each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Everything here runs on Linux only: real FUSE mounts, /dev/fuse, fusermount3.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Mount tests measure rates and drive fio and QEMU: running them side by side would make them measure each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

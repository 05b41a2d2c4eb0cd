## runtime/cgroups

internal import CMalloc
internal import Foundation

/// glibc malloc settings for a process that runs for months.
public enum MemoryTuning {
    /// glibc gives threads that allocate at once arenas of their own (up to 8 per core); memory
    /// freed in one is not reused by another, so a long run's RSS climbs in steps. Two arenas
    /// keep it flat at no measurable cost. `MALLOC_ARENA_MAX` in the environment still wins.
    ///
    /// glibc also raises its mmap threshold each time a large mmapped block is freed (up to
    /// 32 MB), after which blocks that size come from the heap and, freed, stay in it: the
    /// arrays of one 50,000-entry sitemap left RSS 30 MB higher for good. A fixed threshold
    /// keeps large transient blocks in mmap, returned whole when freed.
    public static func configure() {
        let environment = ProcessInfo.processInfo.environment
        if environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(M_ARENA_MAX, 2) }
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(M_MMAP_THRESHOLD, 256 * 1024) }
    }
}

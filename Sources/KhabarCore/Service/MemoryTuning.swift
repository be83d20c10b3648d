internal import CMalloc
internal import Foundation

/// glibc malloc settings for a process that runs for months.
public enum MemoryTuning {
    /// glibc gives threads that allocate at once arenas of their own (up to 8 per core); memory
    /// freed in one is not reused by another, so a long run's RSS climbs in steps. Two arenas
    /// keep it flat at no measurable cost. `MALLOC_ARENA_MAX` in the environment still wins.
    public static func configure() {
        if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(M_ARENA_MAX, 2) }
    }

    /// Hands free heap pages back to the system, after a large transient structure (a parsed
    /// sitemap of 50,000 entries) is gone.
    public static func releaseFreedMemory() {
        _ = malloc_trim(0)
    }
}

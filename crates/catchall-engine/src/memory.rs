//! Keeping the app's own memory small on Linux (glibc's allocator).
//!
//! glibc gives every thread that allocates its own arena (up to eight per
//! core) and keeps freed memory in them. After big one-off work (building a
//! job's search index, an export) that memory stays counted against the
//! app though nothing uses it. Elsewhere these do nothing.

/// Two arenas for the whole process. Call first thing in `main`, before
/// any thread exists (the setting applies to arenas created afterwards).
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands freed memory back to the system.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

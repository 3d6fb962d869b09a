//! Giving memory back after big one-off work (an index build, an export):
//! glibc keeps freed memory in its arenas until asked. Elsewhere a no-op.

/// Hands freed memory back to the system.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/*
 * Loads Mesa's LLVM into the page process as soon as WebKit loads this web
 * extension, with RTLD_DEEPBIND, a little before WebKit starts EGL (whose
 * software driver, llvmpipe, links all of LLVM).
 *
 * Loaded the usual way, each of LLVM's ~46,000 dynamic symbols that it
 * binds to itself is first looked up through the ~190 libraries WebKit's
 * page process has already loaded: 1.8 of the page process's 3.7 million
 * symbol lookups at start (LD_DEBUG=symbols). With RTLD_DEEPBIND LLVM
 * looks in itself and its own dependencies first. Launch seen by the X
 * server (bench/launch-watch), same binary, 10 starts each: 463 vs 505.5 ms,
 * and 476 vs 507.5 against an early load without RTLD_DEEPBIND.
 *
 * RTLD_DEEPBIND is only safe where nothing interposes a symbol LLVM uses:
 * on Debian 12 only C++ template copies, type names and libunwind's
 * unwinder (crash backtraces) are defined both in LLVM's scope and outside
 * it. A preloaded allocator would be one (LLVM's memory from libc's malloc,
 * freed through the other), so any LD_PRELOAD other than the app's own
 * (flite's time voice, src-tauri/helper_preload.rs) turns this off, as
 * does CATCHALL_NO_EARLY_LLVM. Mesa later opens the same LLVM: already
 * loaded, it is used as is.
 *
 * Only on a machine without a GPU (no DRM render node), where EGL is
 * certain to be Mesa's software driver: with a GPU the driver may be one
 * that needs no LLVM (NVIDIA's), and loading it would be all cost.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef CATCHALL_EARLY_LLVM

/* Only the app's own preload (flite's time voice), or none. */
static bool preload_is_ours(const char *preload) {
  const char *entry = preload;
  while (*entry) {
    size_t len = strcspn(entry, ": ");
    if (len > 0) {
      const char *slash = entry + len;
      while (slash > entry && slash[-1] != '/') slash--;
      static const char flite[] = "libflite_cmu_time_awb.so.";
      if ((size_t)(entry + len - slash) < sizeof flite - 1 || strncmp(slash, flite, sizeof flite - 1) != 0)
        return false;
    }
    entry += len;
    if (*entry) entry++;
  }
  return true;
}

static bool has_render_node(void) {
  DIR *dir = opendir("/dev/dri");
  if (!dir) return false;
  bool found = false;
  for (struct dirent *e; !found && (e = readdir(dir));) found = strncmp(e->d_name, "renderD", 7) == 0;
  closedir(dir);
  return found;
}

__attribute__((constructor)) static void catchall_early_llvm(void) {
  if (getenv("CATCHALL_NO_EARLY_LLVM")) return;
  const char *preload = getenv("LD_PRELOAD");
  if (preload && !preload_is_ours(preload)) return;
  if (has_render_node()) return;
  /* A failure only means Mesa loads it later, as it would have. */
  (void)dlopen(CATCHALL_EARLY_LLVM, RTLD_NOW | RTLD_GLOBAL | RTLD_DEEPBIND);
}

#endif

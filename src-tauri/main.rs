// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    catchall_engine::memory::limit_arenas();
    // Linux: WebKitGTK's accelerated compositing draws every frame through
    // GL. Without a GPU (virtual machines, remote desktops, Xvfb) that GL is
    // llvmpipe in software, and scrolling the results table cost ~200 ms a
    // frame against ~45 ms painted directly (bench/ui/run.sh). Its GL
    // drivers are also the usual cause of blank WebKitGTK windows. The page
    // is plain DOM, so direct painting is the safer default; set
    // CATCHALL_GPU_COMPOSITING=1 to keep WebKit's choice. Set before GTK
    // starts and before any thread exists, as WebKit reads it at start.
    #[cfg(target_os = "linux")]
    if std::env::var_os("CATCHALL_GPU_COMPOSITING").is_none() {
        if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
        // With direct painting nothing in the window uses GTK's GL, yet GTK
        // probes GLX when it opens the display: loading the GL driver (with
        // llvmpipe, all of LLVM) cost ~0.1 s of every start here.
        if std::env::var_os("GDK_GL").is_none() {
            std::env::set_var("GDK_GL", "disable");
        }
    }
    catchall_desk::run();
}

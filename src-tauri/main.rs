// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    catchall_engine::memory::limit_arenas();
    catchall_desk::platform_defaults();
    catchall_desk::run();
}

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Both change the process environment: first, before any thread exists.
    let env_key = catchall_desk::platform::take_env_key();
    catchall_desk::platform::platform_defaults();
    catchall_desk::run(env_key);
}

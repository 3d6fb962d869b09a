// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// build.rs `link_order`: this reference keeps flite's time voice, first in
// the app's library search order, in the binary's needed libraries. Never
// called.
#[cfg(flite_first)]
#[used]
static FLITE_FIRST: unsafe extern "C" fn(*const std::ffi::c_char) -> *mut std::ffi::c_void = {
    extern "C" {
        fn register_cmu_time_awb(voxdir: *const std::ffi::c_char) -> *mut std::ffi::c_void;
    }
    register_cmu_time_awb
};

fn main() {
    catchall_engine::memory::limit_arenas();
    catchall_desk::platform_defaults();
    catchall_desk::run();
}

//! The app names flite's time voice first among its libraries when the
//! build found that this machine's WebKit links it (src-tauri/build.rs,
//! `link_order`), so the dynamic linker finds its 31,000 own symbols at
//! once; and not at all otherwise.
#![cfg(target_os = "linux")]

use std::process::Command;

#[test]
fn flite_is_the_first_needed_library_when_webkit_links_it() {
    let out = Command::new("readelf")
        .args(["-d", env!("CARGO_BIN_EXE_catchall-desk")])
        .output()
        .expect("readelf (binutils) runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // " 0x0000000000000001 (NEEDED)  Shared library: [libgdk-3.so.0]"
    let needed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert!(needed.contains(&"libwebkit2gtk-4.1.so.0"), "{needed:?}");
    if cfg!(flite_first) {
        assert_eq!(needed[0], "libflite_cmu_time_awb.so.1", "{needed:?}");
    } else {
        assert!(
            !needed.contains(&"libflite_cmu_time_awb.so.1"),
            "{needed:?}"
        );
    }
}

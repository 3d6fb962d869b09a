fn main() {
    // Set by link_order when it applies (read by main.rs).
    println!("cargo::rustc-check-cfg=cfg(flite_first)");
    #[cfg(target_os = "linux")]
    {
        web_extension::build();
        link_order::link_first();
    }
    tauri_build::build()
}

/// Puts the library that costs WebKitGTK's start the most symbol lookups
/// first in the app's library search order (see src-tauri/helper_preload.rs,
/// which does the same for WebKit's helper processes): when this machine's
/// libwebkit2gtk links it, the app names it as its first needed library.
/// Measured on Debian 12, exec to GTK's start (`perf stat`, 40 runs): ~140 ms
/// without, ~115 with it last of the app's libraries, ~105 with it first.
#[cfg(target_os = "linux")]
mod link_order {
    const FIRST: &str = "libflite_cmu_time_awb.so.1";

    pub fn link_first() {
        let Some(libdir) = super::webkit_libdir() else {
            return;
        };
        let webkit = format!("{libdir}/libwebkit2gtk-4.1.so.0");
        if super::needed_library(&webkit, |name| name == FIRST).is_some() {
            // Named by the app itself, so it comes before the libraries of
            // GTK's and WebKit's crates; main.rs refers to one of its
            // functions, or the linker (--as-needed) would drop it.
            println!("cargo:rustc-link-lib=dylib:+verbatim={FIRST}");
            println!("cargo:rustc-cfg=flite_first");
        }
    }
}

/// Builds src-tauri/web_extension (see its source) into a shared object in
/// OUT_DIR, which web_memory.rs embeds.
#[cfg(target_os = "linux")]
mod web_extension {
    use std::path::PathBuf;
    use std::process::Command;

    pub fn build() {
        let sources = [
            "src-tauri/web_extension/release_memory.c",
            "src-tauri/web_extension/early_llvm.c",
        ];
        for source in sources {
            println!("cargo:rerun-if-changed={source}");
        }
        let lib = pkg_config::Config::new()
            .cargo_metadata(false)
            .probe("webkit2gtk-web-extension-4.1")
            .expect("WebKitGTK 4.1 development files (libwebkit2gtk-4.1-dev)");
        let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("release_memory.so");
        let compiler = cc::Build::new().opt_level(2).get_compiler();
        let mut cmd: Command = compiler.to_command();
        cmd.args(["-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-o"])
            .arg(&out)
            .args(sources);
        if let Some(llvm) = mesa_llvm() {
            cmd.arg(format!("-DCATCHALL_EARLY_LLVM=\"{llvm}\""));
        }
        for dir in &lib.include_paths {
            cmd.arg("-I").arg(dir);
        }
        for dir in &lib.link_paths {
            cmd.arg("-L").arg(dir);
        }
        for name in [
            "webkit2gtk-4.1",
            "javascriptcoregtk-4.1",
            "gobject-2.0",
            "glib-2.0",
        ] {
            cmd.arg(format!("-l{name}"));
        }
        let status = cmd.status().expect("run the C compiler");
        assert!(status.success(), "building the web extension failed");
    }

    /// The libLLVM this machine's Mesa driver links (see early_llvm.c), if any.
    fn mesa_llvm() -> Option<String> {
        let driver = format!("{}/dri/swrast_dri.so", super::webkit_libdir()?);
        if !std::path::Path::new(&driver).exists() {
            return None;
        }
        super::needed_library(&driver, |name| name.starts_with("libLLVM"))
    }
}

/// WebKitGTK's library folder, from pkg-config.
#[cfg(target_os = "linux")]
fn webkit_libdir() -> Option<String> {
    pkg_config::get_variable("webkit2gtk-4.1", "libdir").ok()
}

/// The first library that `lib` needs (as `ldd` lists them) whose name
/// `wanted` accepts and that resolves to a file on this machine.
#[cfg(target_os = "linux")]
fn needed_library(lib: &str, wanted: impl Fn(&str) -> bool) -> Option<String> {
    println!("cargo:rerun-if-changed={lib}");
    let out = std::process::Command::new("ldd").arg(lib).output().ok()?;
    // "\tlibflite_cmu_time_awb.so.1 => /lib/.../libflite_cmu_time_awb.so.1 (0x...)"
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| {
            let mut parts = line.split_whitespace();
            let name = parts.next()?;
            let path = parts.nth(1)?;
            (wanted(name) && path.starts_with('/')).then(|| name.to_string())
        })
}

fn main() {
    #[cfg(target_os = "linux")]
    web_extension::build();
    tauri_build::build()
}

/// Builds src-tauri/web_extension (see its source) into a shared object in
/// OUT_DIR, which web_memory.rs embeds.
#[cfg(target_os = "linux")]
mod web_extension {
    use std::path::PathBuf;
    use std::process::Command;

    pub fn build() {
        let source = "src-tauri/web_extension/release_memory.c";
        println!("cargo:rerun-if-changed={source}");
        let lib = pkg_config::Config::new()
            .cargo_metadata(false)
            .probe("webkit2gtk-web-extension-4.1")
            .expect("WebKitGTK 4.1 development files (libwebkit2gtk-4.1-dev)");
        let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("release_memory.so");
        let compiler = cc::Build::new().opt_level(2).get_compiler();
        let mut cmd: Command = compiler.to_command();
        cmd.args(["-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-o"])
            .arg(&out)
            .arg(source);
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
        assert!(status.success(), "building {source} failed");
    }
}

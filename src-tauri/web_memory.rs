//! How much memory WebKit's page process may keep before it gives some back.
//!
//! WebKitGTK's page process releases memory (drops compiled script, collects
//! garbage in full, empties its caches, hands free pages back) only under
//! memory pressure, which by default starts near a third of the machine's
//! RAM. Scrolling the results table leaves it holding ~60 MB it no longer
//! needs until then (measured: 206-212 MB PSS after the bench's scroll, ~148
//! after one release). WebKit lets an embedder set its own limit
//! (`WebKitMemoryPressureSettings`, since 2.34), but only as a construct-only
//! property of the web context, which Tauri creates without it. So we wrap
//! the context class's GObject constructor to supply our settings when none
//! are given. Public API only; on a WebKit without the property nothing
//! changes. Set `CATCHALL_WEB_MEMORY_LIMIT_MB=0` to keep WebKit's defaults.
//!
//! The same wrapper points the context at a web extension
//! (src-tauri/web_extension) that lets the page have WebKit's release run at
//! once when the table stops scrolling: a release started by the settings
//! above only asks for a full garbage collection "soon", and on a page left
//! alone after a scroll none came in a third of bench/ui's runs. Set
//! `CATCHALL_WEB_EXTENSION=0` to go without it.

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{c_uint, c_void, CStr, CString};
    use std::sync::OnceLock;

    use webkit2gtk::ffi as wk;
    use webkit2gtk::glib::ffi::GType;
    use webkit2gtk::glib::gobject_ffi as gobj;

    type Constructor =
        unsafe extern "C" fn(GType, c_uint, *mut gobj::GObjectConstructParam) -> *mut gobj::GObject;

    struct Installed {
        original: Constructor,
        /// A `WebKitMemoryPressureSettings*`, kept for the process's life.
        settings: Option<usize>,
        /// Where the web extension is, for `set_web_extensions_directory`.
        extensions: Option<CString>,
    }

    static INSTALLED: OnceLock<Installed> = OnceLock::new();

    /// How many web contexts got our settings (for the test).
    pub(super) static FILLED: std::sync::atomic::AtomicUsize =
        std::sync::atomic::AtomicUsize::new(0);

    const PROPERTY: &CStr = c"memory-pressure-settings";

    /// Memory settings as (limit MB, conservative, strict, poll seconds).
    pub type Settings = (u32, f64, f64, f64);

    pub fn install(settings: Option<Settings>, extensions: Option<CString>) {
        if settings.is_none() && extensions.is_none() {
            return;
        }
        // SAFETY: plain GObject/WebKit C calls made on the main thread before
        // GTK starts; the class pointer stays valid for the process's life
        // because we keep the reference g_type_class_ref took.
        unsafe {
            let settings = settings.map(|(limit_mb, conservative, strict, poll_seconds)| {
                let s = wk::webkit_memory_pressure_settings_new();
                wk::webkit_memory_pressure_settings_set_memory_limit(s, limit_mb);
                wk::webkit_memory_pressure_settings_set_conservative_threshold(s, conservative);
                wk::webkit_memory_pressure_settings_set_strict_threshold(s, strict);
                wk::webkit_memory_pressure_settings_set_poll_interval(s, poll_seconds);
                s as usize
            });
            let class = gobj::g_type_class_ref(wk::webkit_web_context_get_type())
                as *mut gobj::GObjectClass;
            let stored = match (*class).constructor {
                Some(original) => INSTALLED
                    .set(Installed {
                        original,
                        settings,
                        extensions,
                    })
                    .is_ok(),
                None => false,
            };
            if stored {
                (*class).constructor = Some(constructor);
            } else if let Some(s) = settings {
                wk::webkit_memory_pressure_settings_free(s as *mut _);
            }
        }
    }

    /// Fills in the memory settings when the caller left them unset, then
    /// builds the context as WebKit would.
    unsafe extern "C" fn constructor(
        type_: GType,
        n_params: c_uint,
        params: *mut gobj::GObjectConstructParam,
    ) -> *mut gobj::GObject {
        let installed = INSTALLED
            .get()
            .expect("constructor wrapped before its state was set");
        if let (Some(settings), false) = (installed.settings, params.is_null()) {
            for param in std::slice::from_raw_parts_mut(params, n_params as usize) {
                let name = CStr::from_ptr((*param.pspec).name);
                if name == PROPERTY && gobj::g_value_get_boxed(param.value).is_null() {
                    // Copies the settings; GObject frees the copy with the value.
                    gobj::g_value_set_boxed(param.value, settings as *const c_void);
                    FILLED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        let context = (installed.original)(type_, n_params, params);
        if let (Some(dir), false) = (&installed.extensions, context.is_null()) {
            // WebKit's documented moment to name the folder: just before it
            // starts a page process (the context is not set up yet here).
            let handler: unsafe extern "C" fn(*mut wk::WebKitWebContext, *mut c_void) =
                initialize_web_extensions;
            gobj::g_signal_connect_data(
                context,
                c"initialize-web-extensions".as_ptr(),
                Some(std::mem::transmute::<
                    unsafe extern "C" fn(*mut wk::WebKitWebContext, *mut c_void),
                    unsafe extern "C" fn(),
                >(handler)),
                dir.as_ptr() as *mut c_void,
                None,
                0,
            );
        }
        context
    }

    /// "initialize-web-extensions": `dir` is `Installed::extensions`, which
    /// lives as long as the process.
    unsafe extern "C" fn initialize_web_extensions(
        context: *mut wk::WebKitWebContext,
        dir: *mut c_void,
    ) {
        wk::webkit_web_context_set_web_extensions_directory(context, dir as *const _);
    }

    /// The web extension, built by build.rs from src-tauri/web_extension.
    const EXTENSION: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/release_memory.so"));

    /// Writes the web extension into a folder of its own (WebKit loads every
    /// library in the folder it is given) named after its content, so app
    /// versions never share one; reuses it when it is already there.
    pub fn write_extension() -> std::io::Result<std::path::PathBuf> {
        use std::hash::{Hash, Hasher};
        let mut hash = std::hash::DefaultHasher::new();
        EXTENSION.hash(&mut hash);
        let base = dirs::runtime_dir()
            .or_else(dirs::cache_dir)
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!(
            "catchall-desk-web-extension-{:016x}",
            hash.finish()
        ));
        let file = dir.join("release_memory.so");
        if std::fs::read(&file).is_ok_and(|b| b == EXTENSION) {
            return Ok(dir);
        }
        std::fs::create_dir_all(&dir)?;
        // Written aside and renamed, so a second app starting at the same
        // moment never loads half a file.
        static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let part = dir.join(format!(".release_memory.{}.{n}.part", std::process::id()));
        std::fs::write(&part, EXTENSION)?;
        std::fs::rename(&part, &file)?;
        Ok(dir)
    }
}

#[cfg(target_os = "linux")]
use std::ffi::CString;

/// Page-process memory limit (MB) that the thresholds below are fractions
/// of. Measured here in what WebKit counts (dirty private pages of anonymous
/// mappings; ~18 MB less than the process's anonymous PSS): ~38 MB with the
/// 100,000-record job open, ~52 after paging through it, 85-115 after
/// scrolling it, 47-63 after a release.
const LIMIT_MB: u32 = 200;
/// Above 66 MB WebKit drops caches (a third: WebKit's own default fraction);
/// above 70 it also drops compiled script and collects garbage in full. Both
/// sit above the page's working level, so an idle page is not made to
/// release again and again. (Forced below it,
/// measured with a 100 MB limit: each check then also asks for a release,
/// ~50 ms of the page's main thread every 10 s, and frees nothing more.)
const CONSERVATIVE: f64 = 0.33;
const STRICT: f64 = 0.35;
/// How often WebKit checks (it parses /proc/self/smaps: ~36 ms of the page
/// process's main thread per check here, idle). WebKit's default is 30 s;
/// 10 s gives memory back soon after the analyst stops scrolling, for ~0.4%
/// of a core instead of ~0.1%.
const POLL_SECONDS: f64 = 10.0;

/// Sets WebKit's page-process memory settings and web extension; call
/// before GTK starts.
pub fn limit_page_memory() {
    let limit = std::env::var("CATCHALL_WEB_MEMORY_LIMIT_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(LIMIT_MB);
    let settings = (limit > 0).then_some((limit, CONSERVATIVE, STRICT, POLL_SECONDS));
    #[cfg(target_os = "linux")]
    {
        let extensions = if std::env::var_os("CATCHALL_WEB_EXTENSION").is_some_and(|v| v == "0") {
            None
        } else {
            // Without it the page still works; it only keeps its garbage
            // longer. So a folder we cannot write is not worth failing for.
            imp::write_extension()
                .ok()
                .and_then(|dir| CString::new(dir.into_os_string().into_encoded_bytes()).ok())
        };
        imp::install(settings, extensions);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = settings;
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::sync::atomic::Ordering;

    use webkit2gtk::ffi as wk;
    use webkit2gtk::glib::gobject_ffi as gobj;

    /// A web context built the way wry builds one (no memory settings given)
    /// gets ours: the property exists under the name we fill in, the
    /// wrapped constructor still builds a working context, and the context
    /// will name the web extension's folder to its page process.
    #[test]
    fn web_contexts_get_the_memory_settings() {
        // WebKit reads GTK settings while it builds a context, so this needs
        // a display (scripts/test.sh runs the Rust tests under Xvfb).
        gtk::init().expect("GTK needs a display: run the tests under xvfb-run");
        super::limit_page_memory();
        let before = super::imp::FILLED.load(Ordering::Relaxed);
        // SAFETY: builds and drops one context on the thread that set GTK up.
        unsafe {
            let context = wk::webkit_web_context_new();
            assert!(!context.is_null());
            assert_eq!(
                wk::webkit_web_context_get_cache_model(context),
                wk::WEBKIT_CACHE_MODEL_WEB_BROWSER
            );
            let signal = gobj::g_signal_lookup(
                c"initialize-web-extensions".as_ptr(),
                wk::webkit_web_context_get_type(),
            );
            assert_ne!(signal, 0);
            assert_ne!(
                gobj::g_signal_has_handler_pending(context as *mut _, signal, 0, 0),
                0
            );
            gobj::g_object_unref(context as *mut gobj::GObject);
        }
        assert_eq!(super::imp::FILLED.load(Ordering::Relaxed), before + 1);
    }

    /// Loading the extension loads Mesa's LLVM with it (early_llvm.c) when
    /// the build found one and the machine has no GPU; not with
    /// `CATCHALL_NO_EARLY_LLVM`, nor with a preload other than the app's
    /// own. Probed in fresh processes (this test binary run again for the
    /// probe alone), where nothing else has loaded LLVM.
    #[test]
    fn loading_the_web_extension_loads_llvm_early() {
        const NAME: &str = "web_memory::tests::loading_the_web_extension_loads_llvm_early";
        if let Some(path) = std::env::var_os("CATCHALL_PROBE_EXTENSION") {
            extern "C" {
                fn dlopen(file: *const std::ffi::c_char, mode: i32) -> *mut std::ffi::c_void;
            }
            let path = std::ffi::CString::new(path.into_encoded_bytes()).unwrap();
            // SAFETY: loads a library built for this process; RTLD_NOW (2).
            assert!(!unsafe { dlopen(path.as_ptr(), 2) }.is_null());
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
            println!("LLVM loaded: {}", maps.contains("/libLLVM"));
            return;
        }
        let file = super::imp::write_extension()
            .unwrap()
            .join("release_memory.so");
        let probe = |skip: bool, preload: Option<&str>| {
            let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
            cmd.args([NAME, "--exact", "--nocapture", "--test-threads=1"])
                .env("CATCHALL_PROBE_EXTENSION", &file)
                .env_remove("CATCHALL_NO_EARLY_LLVM")
                .env_remove("LD_PRELOAD");
            if skip {
                cmd.env("CATCHALL_NO_EARLY_LLVM", "1");
            }
            if let Some(preload) = preload {
                cmd.env("LD_PRELOAD", preload);
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stdout).contains("LLVM loaded: true")
        };
        // Only without a GPU (EGL is then Mesa's llvmpipe).
        let built_with_llvm = !crate::has_render_node()
            && std::fs::read(&file)
                .unwrap()
                .windows(7)
                .any(|w| w == b"libLLVM");
        assert_eq!(probe(false, None), built_with_llvm);
        assert!(!probe(true, None));
        // Someone else's preload (here a harmless one) could interpose the
        // allocator: no early load then.
        assert!(!probe(false, Some("libm.so.6")));
        // The app's own (flite's time voice, when WebKit links it): the value
        // helper_preload gives the helpers, from this process's own map.
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        if let Some(ours) = crate::helper_preload::preload_value(&maps, None) {
            assert_eq!(probe(false, ours.to_str()), built_with_llvm);
        }
    }

    /// The extension is written out whole, as a library WebKit can load,
    /// and a second start reuses the same file.
    #[test]
    fn the_web_extension_is_written_once_per_version() {
        let dir = super::imp::write_extension().expect("write the web extension");
        let file = dir.join("release_memory.so");
        let bytes = std::fs::read(&file).expect("read it back");
        assert!(bytes.starts_with(b"\x7fELF"), "a shared library");
        let needle = b"webkit_web_extension_initialize";
        assert!(bytes.windows(needle.len()).any(|w| w == needle));
        let written = std::fs::metadata(&file).unwrap().modified().unwrap();
        assert_eq!(super::imp::write_extension().unwrap(), dir);
        assert_eq!(
            std::fs::metadata(&file).unwrap().modified().unwrap(),
            written
        );
    }
}

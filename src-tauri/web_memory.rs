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

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{c_uint, c_void, CStr};
    use std::sync::OnceLock;

    use webkit2gtk::ffi as wk;
    use webkit2gtk::glib::ffi::GType;
    use webkit2gtk::glib::gobject_ffi as gobj;

    type Constructor =
        unsafe extern "C" fn(GType, c_uint, *mut gobj::GObjectConstructParam) -> *mut gobj::GObject;

    struct Installed {
        original: Constructor,
        /// A `WebKitMemoryPressureSettings*`, kept for the process's life.
        settings: usize,
    }

    static INSTALLED: OnceLock<Installed> = OnceLock::new();

    /// How many web contexts got our settings (for the test).
    pub(super) static FILLED: std::sync::atomic::AtomicUsize =
        std::sync::atomic::AtomicUsize::new(0);

    const PROPERTY: &CStr = c"memory-pressure-settings";

    pub fn install(limit_mb: u32, conservative: f64, strict: f64, poll_seconds: f64) {
        // SAFETY: plain GObject/WebKit C calls made on the main thread before
        // GTK starts; the class pointer stays valid for the process's life
        // because we keep the reference g_type_class_ref took.
        unsafe {
            let settings = wk::webkit_memory_pressure_settings_new();
            wk::webkit_memory_pressure_settings_set_memory_limit(settings, limit_mb);
            wk::webkit_memory_pressure_settings_set_conservative_threshold(settings, conservative);
            wk::webkit_memory_pressure_settings_set_strict_threshold(settings, strict);
            wk::webkit_memory_pressure_settings_set_poll_interval(settings, poll_seconds);
            let class = gobj::g_type_class_ref(wk::webkit_web_context_get_type())
                as *mut gobj::GObjectClass;
            let Some(original) = (*class).constructor else {
                wk::webkit_memory_pressure_settings_free(settings);
                return;
            };
            if INSTALLED
                .set(Installed {
                    original,
                    settings: settings as usize,
                })
                .is_err()
            {
                wk::webkit_memory_pressure_settings_free(settings);
                return;
            }
            (*class).constructor = Some(constructor);
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
            .expect("constructor installed without settings");
        if !params.is_null() {
            for param in std::slice::from_raw_parts_mut(params, n_params as usize) {
                let name = CStr::from_ptr((*param.pspec).name);
                if name == PROPERTY && gobj::g_value_get_boxed(param.value).is_null() {
                    // Copies the settings; GObject frees the copy with the value.
                    gobj::g_value_set_boxed(param.value, installed.settings as *const c_void);
                    FILLED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        (installed.original)(type_, n_params, params)
    }
}

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

/// Sets WebKit's page-process memory settings; call before GTK starts.
pub fn limit_page_memory() {
    let limit = std::env::var("CATCHALL_WEB_MEMORY_LIMIT_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(LIMIT_MB);
    if limit == 0 {
        return;
    }
    #[cfg(target_os = "linux")]
    imp::install(limit, CONSERVATIVE, STRICT, POLL_SECONDS);
    #[cfg(not(target_os = "linux"))]
    let _ = (limit, CONSERVATIVE, STRICT, POLL_SECONDS);
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::sync::atomic::Ordering;

    use webkit2gtk::ffi as wk;
    use webkit2gtk::glib::gobject_ffi as gobj;

    /// A web context built the way wry builds one (no memory settings given)
    /// gets ours: the property exists under the name we fill in, and the
    /// wrapped constructor still builds a working context.
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
            gobj::g_object_unref(context as *mut gobj::GObject);
        }
        assert_eq!(super::imp::FILLED.load(Ordering::Relaxed), before + 1);
    }
}

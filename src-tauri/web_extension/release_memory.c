/*
 * A WebKitGTK web extension: code WebKit loads into the page process.
 *
 * It gives the app's page one function, window.__catchallReleaseMemory(),
 * which has the page process release what memory it can (its garbage
 * collected in full) as soon as the page's script returns. Scrolling the
 * results table leaves tens of MB of garbage (old rows, their DOM nodes and
 * script objects) that only a full collection frees; JavaScriptCore starts
 * one only when the page allocates more, so a page left alone after a
 * scroll kept it indefinitely in about a third of bench/ui's runs. The page
 * calls this once scrolling has stopped for a few seconds
 * (ui/src/lib/pageMemory.ts).
 *
 * Built by src-tauri/build.rs and embedded in the app binary, which writes
 * it to a folder of its own at start (src-tauri/web_memory.rs): every copy
 * of the app carries it.
 */
#include <JavaScriptCore/JavaScript.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <webkit2/webkit-web-extension.h>

/*
 * What releases memory, best first, looked up at run time because WebKit
 * exports them without declaring them in its public headers:
 * - WebKit's own critical release, run at once, which its memory-pressure
 *   check would run only "soon": a full collection, compiled script dropped,
 *   caches emptied, free pages handed back (~50-65 MB after the bench's
 *   scroll, measured by calling it with gdb; 60-110 ms of the page's
 *   main thread);
 * - JavaScriptCore's synchronous full collection;
 * - JSGarbageCollect, public, which only hints at one.
 */
typedef void *(*Singleton)(void);
typedef void (*ReleaseMemory)(void *handler, bool critical, bool synchronous);
typedef void (*CollectNow)(JSContextRef);

static gboolean release_now(gpointer data)
{
    static Singleton handler;
    static ReleaseMemory release;
    static CollectNow collect_now;
    static gboolean looked_up;
    if (!looked_up) {
        handler = (Singleton)dlsym(RTLD_DEFAULT, "_ZN3WTF21MemoryPressureHandler9singletonEv");
        release = (ReleaseMemory)dlsym(
            RTLD_DEFAULT, "_ZN3WTF21MemoryPressureHandler13releaseMemoryENS_8CriticalENS_11SynchronousE");
        collect_now = (CollectNow)dlsym(RTLD_DEFAULT, "JSSynchronousGarbageCollectForDebugging");
        looked_up = TRUE;
    }
    if (handler && release)
        release(handler(), true, true);
    else if (collect_now)
        collect_now(data);
    else
        JSGarbageCollect(data);
    return G_SOURCE_REMOVE;
}

static void release_context(gpointer data)
{
    JSGlobalContextRelease(data);
}

/* Runs the release from the main loop once the page's script has returned,
 * as WebKit's own check does, never in the middle of a script. `data` is
 * the page, held weakly: the function must not hold the page's script
 * context, or every page ever loaded stays alive through it (it did: 2-9 MB
 * more per page reload, measured). */
static void release_memory(gpointer data)
{
    WebKitWebPage *page = g_weak_ref_get(data);
    if (!page)
        return;
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    JSGlobalContextRef context = webkit_frame_get_javascript_global_context(webkit_web_page_get_main_frame(page));
    G_GNUC_END_IGNORE_DEPRECATIONS
    g_object_unref(page);
    if (!context)
        return;
    /* Only until the release has run. */
    JSGlobalContextRetain(context);
    g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, release_now, (gpointer)context, release_context);
}

static void free_weak_ref(gpointer data)
{
    g_weak_ref_clear(data);
    g_free(data);
}

static void window_object_cleared(WebKitScriptWorld *world, WebKitWebPage *page,
                                  WebKitFrame *frame, gpointer user_data)
{
    (void)user_data;
    if (!webkit_frame_is_main_frame(frame))
        return;
    JSCContext *js = webkit_frame_get_js_context_for_script_world(frame, world);
    GWeakRef *weak_page = g_new0(GWeakRef, 1);
    g_weak_ref_init(weak_page, page);
    JSCValue *fn = jsc_value_new_function(js, "__catchallReleaseMemory",
                                          G_CALLBACK(release_memory), weak_page,
                                          free_weak_ref, G_TYPE_NONE, 0);
    jsc_context_set_value(js, "__catchallReleaseMemory", fn);
    g_object_unref(fn);
    g_object_unref(js);
}

G_MODULE_EXPORT void webkit_web_extension_initialize(WebKitWebExtension *extension)
{
    (void)extension;
    g_signal_connect(webkit_script_world_get_default(), "window-object-cleared",
                     G_CALLBACK(window_object_cleared), NULL);
}

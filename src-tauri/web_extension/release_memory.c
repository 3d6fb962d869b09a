/*
 * A WebKitGTK web extension: code WebKit loads into the page process.
 *
 * It gives the app's page one function, window.__catchallReleaseMemory(),
 * which collects the page's garbage in full, at once. Scrolling the results
 * table leaves tens of MB of garbage (old table rows, their DOM nodes and
 * script objects) that only a full collection frees; JavaScriptCore starts
 * one only when the page allocates more, so a page left alone after a
 * scroll kept it indefinitely in about a third of bench/ui's runs. The page
 * calls this once scrolling has stopped for a few seconds (ResultsTable).
 *
 * Built by src-tauri/build.rs, embedded in the app binary and written next
 * to nothing else at start (src-tauri/web_memory.rs), so every copy of the
 * app carries it.
 */
#include <JavaScriptCore/JavaScript.h>
#include <dlfcn.h>
#include <webkit2/webkit-web-extension.h>

/* JavaScriptCore's synchronous full collection. Exported by every
 * WebKitGTK build but declared only in a private header, so it is looked up
 * at run time; without it the page falls back to JSGarbageCollect, which
 * only hints at a collection. */
typedef void (*CollectNow)(JSContextRef);

static void release_memory(gpointer data)
{
    JSGlobalContextRef context = data;
    static CollectNow collect_now;
    static gboolean looked_up;
    if (!looked_up) {
        collect_now = (CollectNow)dlsym(RTLD_DEFAULT, "JSSynchronousGarbageCollectForDebugging");
        looked_up = TRUE;
    }
    if (collect_now)
        collect_now(context);
    else
        JSGarbageCollect(context);
}

static void release_context(gpointer data)
{
    JSGlobalContextRelease(data);
}

static void window_object_cleared(WebKitScriptWorld *world, WebKitWebPage *page,
                                  WebKitFrame *frame, gpointer user_data)
{
    (void)page;
    (void)user_data;
    if (!webkit_frame_is_main_frame(frame))
        return;
    JSCContext *js = webkit_frame_get_js_context_for_script_world(frame, world);
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    JSGlobalContextRef global = webkit_frame_get_javascript_context_for_script_world(frame, world);
    G_GNUC_END_IGNORE_DEPRECATIONS
    JSGlobalContextRetain(global);
    JSCValue *fn = jsc_value_new_function(js, "__catchallReleaseMemory",
                                          G_CALLBACK(release_memory), global,
                                          release_context, G_TYPE_NONE, 0);
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

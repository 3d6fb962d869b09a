//! Company watchlists: the Watchlists screen and the composer's
//! "About these companies". A CSV is picked in a native dialog opened
//! here (or named by `CATCHALL_IMPORT_FILE` for scripted runs and the e2e
//! test), read and checked in Rust; the page only ever sees the preview.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;

use catchall_engine::dto::{ErrorKind, IpcError};
use catchall_engine::watchlists::*;
use catchall_engine::Engine;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use super::{ipc, CmdResult};

/// Scripted runs and the e2e test pick this file without a dialog.
const IMPORT_FILE_ENV: &str = "CATCHALL_IMPORT_FILE";

/// The file last picked: kept here until it is uploaded or another is
/// picked, so the page never holds its path or bytes.
struct Picked {
    file_name: String,
    bytes: Vec<u8>,
    encoding: String,
}

static PICKED: Mutex<Option<Picked>> = Mutex::new(None);

fn internal(message: String) -> IpcError {
    IpcError {
        kind: ErrorKind::Internal,
        message,
    }
}

async fn pick_path(app: &tauri::AppHandle) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(IMPORT_FILE_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Choose a CSV file of companies")
        .add_filter("CSV", &["csv", "txt"]);
    if let Some(docs) = dirs::document_dir() {
        dialog = dialog.set_directory(docs);
    }
    dialog.pick_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Reads at most one byte past the limit: enough to say it is too large.
fn read_capped(path: &PathBuf) -> Result<Vec<u8>, IpcError> {
    let f = std::fs::File::open(path).map_err(|e| IpcError {
        kind: ErrorKind::Input,
        message: format!("The file could not be opened: {e}."),
    })?;
    let mut bytes = Vec::new();
    f.take(MAX_CSV_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| IpcError {
            kind: ErrorKind::Input,
            message: format!("The file could not be read: {e}."),
        })?;
    Ok(bytes)
}

fn check_held(encoding: Option<String>) -> CmdResult<CsvPreview> {
    let mut held = PICKED.lock().unwrap_or_else(|p| p.into_inner());
    let Some(p) = held.as_mut() else {
        return Err(IpcError {
            kind: ErrorKind::Input,
            message: "Choose a CSV file first.".into(),
        });
    };
    if let Some(e) = encoding {
        p.encoding = e;
    }
    ipc(preview_csv(&p.file_name, &p.bytes, &p.encoding)).map(|(preview, _)| preview)
}

/// Opens the file dialog and previews the chosen CSV (None: cancelled).
/// A file that is not UTF-8 fails with kind `csv_not_utf8`; it stays picked,
/// so `reread_watchlist_csv("windows-1252")` can read it that way.
#[tauri::command]
#[specta::specta]
pub async fn pick_watchlist_csv(app: tauri::AppHandle) -> CmdResult<Option<CsvPreview>> {
    let Some(path) = pick_path(&app).await else {
        return Ok(None);
    };
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "watchlist.csv".into());
    let bytes = tauri::async_runtime::spawn_blocking(move || read_capped(&path))
        .await
        .map_err(|e| internal(format!("Reading the file stopped: {e}")))??;
    *PICKED.lock().unwrap_or_else(|p| p.into_inner()) = Some(Picked {
        file_name,
        bytes,
        encoding: "utf-8".into(),
    });
    check_held(None).map(Some)
}

/// A CSV dropped on the page, as the text the page read from it (decoded
/// as `encoding`, "utf-8" or "windows-1252"): held and checked as a picked
/// file is, so a Windows-1252 file gets the same offer to read it so.
#[tauri::command]
#[specta::specta]
pub fn drop_watchlist_csv(
    file_name: String,
    text: String,
    encoding: String,
) -> CmdResult<CsvPreview> {
    let bytes = match encoding_of(&encoding) {
        TextEncoding::Windows1252 => encode_windows_1252(&text),
        _ => text.into_bytes(),
    };
    *PICKED.lock().unwrap_or_else(|p| p.into_inner()) = Some(Picked {
        file_name: Some(file_name.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "watchlist.csv".into()),
        bytes,
        encoding: "utf-8".into(),
    });
    check_held(None)
}

/// The picked file read again with another encoding ("utf-8" or
/// "windows-1252").
#[tauri::command]
#[specta::specta]
pub fn reread_watchlist_csv(encoding: String) -> CmdResult<CsvPreview> {
    check_held(Some(encoding))
}

/// Forgets the picked file.
#[tauri::command]
#[specta::specta]
pub fn clear_watchlist_csv() {
    *PICKED.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// The picked file's usable rows, checked again, with its name.
fn held_upload() -> CmdResult<(String, CheckedCsv)> {
    let held = PICKED.lock().unwrap_or_else(|p| p.into_inner());
    let Some(p) = held.as_ref() else {
        return Err(IpcError {
            kind: ErrorKind::Input,
            message: "Choose a CSV file first.".into(),
        });
    };
    let (_, checked) = ipc(preview_csv(&p.file_name, &p.bytes, &p.encoding))?;
    Ok((p.file_name.clone(), checked))
}

/// Uploads the picked file as a new watchlist (in a project, if given).
#[tauri::command]
#[specta::specta]
pub async fn create_watchlist(
    engine: State<'_, Engine>,
    name: String,
    description: Option<String>,
    project_id: Option<String>,
) -> CmdResult<UploadOutcome> {
    let (file_name, checked) = held_upload()?;
    let out = ipc(engine
        .create_watchlist(name, description, file_name, &checked, project_id)
        .await)?;
    clear_watchlist_csv();
    Ok(out)
}

/// Appends the picked file's companies to a watchlist.
#[tauri::command]
#[specta::specta]
pub async fn add_csv_to_watchlist(
    engine: State<'_, Engine>,
    id: String,
) -> CmdResult<UploadOutcome> {
    let (file_name, checked) = held_upload()?;
    let out = ipc(engine.add_csv_to_watchlist(id, file_name, &checked).await)?;
    clear_watchlist_csv();
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn list_watchlists(
    engine: State<'_, Engine>,
    project_id: Option<String>,
) -> CmdResult<Vec<Watchlist>> {
    ipc(engine.watchlists(project_id).await)
}

#[tauri::command]
#[specta::specta]
pub async fn watchlist_detail(engine: State<'_, Engine>, id: String) -> CmdResult<WatchlistDetail> {
    ipc(engine.watchlist(id).await)
}

#[tauri::command]
#[specta::specta]
pub async fn add_company(
    engine: State<'_, Engine>,
    id: String,
    name: String,
    domain: Option<String>,
    about: Option<String>,
) -> CmdResult<()> {
    ipc(engine.add_company(id, name, domain, about).await)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_companies(
    engine: State<'_, Engine>,
    id: String,
    company_ids: Vec<String>,
) -> CmdResult<u32> {
    ipc(engine.remove_companies(id, company_ids).await)
}

#[tauri::command]
#[specta::specta]
pub async fn rename_watchlist(
    engine: State<'_, Engine>,
    id: String,
    name: String,
) -> CmdResult<Watchlist> {
    ipc(engine.rename_watchlist(id, name).await)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_watchlist(engine: State<'_, Engine>, id: String) -> CmdResult<()> {
    ipc(engine.delete_watchlist(id).await)
}

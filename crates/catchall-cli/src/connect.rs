//! The API key and the HTTP client built from the global options.

use std::time::Duration;

use catchall_api::{ApiKey, Client, ClientConfig, RetryPolicy};
use catchall_engine::secret::{self, KeyringStore};

use crate::args::Global;
use crate::error::{CliError, Result};

/// Same switch as the app: never touch the OS keyring (tests, CI, servers).
const NO_KEYRING_ENV: &str = "CATCHALL_NO_KEYRING";

/// The key to use: `CATCHALL_API_KEY` when set (a key given for this run wins
/// over the stored one, the rule the app's engine follows too), otherwise
/// the key CatchAll Desk keeps in the OS keyring.
pub fn api_key() -> Result<ApiKey> {
    if let Some(k) = secret::env_key() {
        return Ok(k);
    }
    if std::env::var_os(NO_KEYRING_ENV).is_some() {
        return Err(CliError::NoKey(None));
    }
    // Debug builds read the dev entry, as the app's debug builds do.
    match KeyringStore::os(cfg!(debug_assertions)).load() {
        Ok(Some(k)) => Ok(k),
        Ok(None) => Err(CliError::NoKey(None)),
        Err(e) => Err(CliError::NoKey(Some(e.0))),
    }
}

pub fn timeout(global: &Global) -> Result<Duration> {
    if !(global.timeout.is_finite() && global.timeout > 0.0) {
        return Err(CliError::input(
            "--timeout must be a number of seconds above 0.",
        ));
    }
    Ok(Duration::from_secs_f64(global.timeout))
}

/// Checks the server address before any request, so a typo gets a plain answer.
pub fn base_url(global: &Global) -> Result<String> {
    let url = global.base_url.trim().trim_end_matches('/');
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || url.len() <= "http://".len()
    {
        return Err(CliError::input(format!(
            "The server address \"{url}\" must start with https:// (for example {}).",
            catchall_api::DEFAULT_BASE_URL
        )));
    }
    Ok(url.to_owned())
}

/// A client for the chosen server with the user's key.
pub fn client(global: &Global) -> Result<Client> {
    let base_url = base_url(global)?;
    let timeout = timeout(global)?;
    let api_key = api_key()?;
    Ok(Client::new(ClientConfig {
        base_url,
        api_key,
        timeout,
        retry: RetryPolicy::default(),
    })?)
}

/// True for a server on this machine (a sandbox): it gets a faster default
/// poll and its jobs are recorded as sandbox jobs in the local store.
pub use catchall_api::is_loopback;

/// The engine on a data folder, connected to the chosen server with the
/// user's key, for one command: it resumes no tracking and runs no queue
/// (the app does both), and it holds the folder's lock while it lives.
pub async fn engine(
    global: &Global,
    data_dir: &std::path::Path,
) -> Result<catchall_engine::Engine> {
    use catchall_engine::{Engine, EngineConfig, EngineOptions};
    let base_url = base_url(global)?;
    let timeout = timeout(global)?;
    let key = api_key()?;
    let sandbox = is_loopback(&base_url);
    let config = EngineConfig {
        data_dir: data_dir.to_path_buf(),
        dev: cfg!(debug_assertions),
        force_sandbox: sandbox,
        sandbox_pace: "test".into(),
        use_keyring: false,
        env_key: Some(key),
    };
    let options = EngineOptions {
        sandbox_url: sandbox.then(|| base_url.clone()),
        live_base_url: (!sandbox).then_some(base_url),
        request_timeout: Some(timeout),
        passive: true,
        ..Default::default()
    };
    Ok(Engine::start_with(config, std::sync::Arc::new(NoEvents), options).await?)
}

/// The command line prints its own progress; engine reports go nowhere.
struct NoEvents;

impl catchall_engine::EventSink for NoEvents {
    fn job_event(&self, _: catchall_engine::dto::JobEvent) {}
    fn export_progress(&self, _: catchall_engine::dto::ExportProgress) {}
    fn job_finished(&self, _: &catchall_engine::dto::JobSummary) {}
}

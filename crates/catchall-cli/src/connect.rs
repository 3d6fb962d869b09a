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

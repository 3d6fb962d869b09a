//! Which server the engine talks to (the built-in sandbox or the live
//! service), with which key, and the HTTP clients for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catchall_api::{ApiKey, Client, ClientConfig, LimitsResponse, RetryPolicy};
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};

use crate::dto::{Connection, KeyStatus};
use crate::engine::Inner;
use crate::EngineError;

/// The server a job lives on; recorded per job, so that switching the
/// connection never polls a sandbox job against the live service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Server {
    Sandbox,
    Live,
}

impl Server {
    pub fn from_store(s: catchall_store::JobServer) -> Server {
        match s {
            catchall_store::JobServer::Sandbox => Server::Sandbox,
            catchall_store::JobServer::Live => Server::Live,
        }
    }
    pub fn to_store(self) -> catchall_store::JobServer {
        match self {
            Server::Sandbox => catchall_store::JobServer::Sandbox,
            Server::Live => catchall_store::JobServer::Live,
        }
    }
    pub fn of(c: Connection) -> Server {
        match c {
            Connection::Sandbox => Server::Sandbox,
            Connection::Live => Server::Live,
        }
    }
}

/// Where the key in use came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeySource {
    Keyring,
    /// Typed for this run only (not remembered, or no keyring).
    Session,
    /// `CATCHALL_API_KEY`.
    Env,
}

/// Two clients to one server: `api` retries like the official SDKs (for
/// what the user asks directly); `poll` never retries by itself, because
/// the tracker and the queue do their own backoff and must see each failure
/// to report it.
#[derive(Clone, Debug)]
pub(crate) struct Clients {
    pub api: Client,
    pub poll: Client,
}

impl Clients {
    pub fn new(base_url: &str, key: ApiKey, timeout: Duration) -> Result<Clients, EngineError> {
        let mk = |retry: RetryPolicy| {
            Client::new(ClientConfig {
                base_url: base_url.to_owned(),
                api_key: key.clone(),
                timeout,
                retry,
            })
        };
        Ok(Clients {
            api: mk(RetryPolicy::default())?,
            poll: mk(RetryPolicy::none())?,
        })
    }
}

/// What the engine knows about the connection and the key.
#[derive(Debug)]
pub(crate) struct ConnState {
    pub mode: Connection,
    pub key: Option<(ApiKey, KeySource)>,
    pub keyring_available: bool,
    pub keyring_message: Option<String>,
    /// Live clients, built on first need from the key and base URL.
    pub live: Option<Clients>,
}

impl ConnState {
    pub fn key_status(&self) -> KeyStatus {
        KeyStatus {
            stored: self.key.is_some(),
            last4: self
                .key
                .as_ref()
                .map(|(k, _)| k.last4())
                .filter(|s| !s.is_empty()),
            session_only: matches!(self.key, Some((_, KeySource::Session | KeySource::Env))),
            keyring_available: self.keyring_available,
            keyring_message: self.keyring_message.clone(),
        }
    }
}

/// The running sandbox (or the address of one started by someone else).
pub(crate) struct SandboxConn {
    pub base_url: String,
    pub clients: Clients,
    pub _server: Option<Sandbox>,
}

pub(crate) fn pace_of(s: &str) -> Pace {
    s.parse().unwrap_or(Pace::Demo)
}

/// Any non-empty key opens the sandbox.
const SANDBOX_KEY: &str = "sandbox-key-0000";

impl Inner {
    /// The sandbox, started on first need.
    pub(crate) async fn sandbox(&self) -> Result<&SandboxConn, EngineError> {
        self.sandbox
            .get_or_try_init(|| async {
                let timeout = self
                    .options
                    .request_timeout
                    .unwrap_or(Duration::from_secs(30));
                let (base_url, server) = match &self.options.sandbox_url {
                    Some(url) => (url.clone(), None),
                    None => {
                        let cfg = SandboxConfig {
                            pace: pace_of(&self.config.sandbox_pace),
                            // Its jobs live in the data folder, so trial
                            // jobs survive a restart of the app.
                            state_dir: Some(self.config.data_dir.clone()),
                            ..SandboxConfig::default()
                        };
                        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                        let sb = Sandbox::start(cfg, addr).await.map_err(|e| {
                            EngineError::Internal(format!(
                                "the built-in sandbox could not start: {e}"
                            ))
                        })?;
                        (sb.base_url(), Some(sb))
                    }
                };
                let clients = Clients::new(&base_url, ApiKey::new(SANDBOX_KEY), timeout)?;
                Ok::<_, EngineError>(SandboxConn {
                    base_url,
                    clients,
                    _server: server,
                })
            })
            .await
    }

    /// Clients for a server; the live one needs a key.
    pub(crate) async fn clients(&self, server: Server) -> Result<Clients, EngineError> {
        match server {
            Server::Sandbox => Ok(self.sandbox().await?.clients.clone()),
            Server::Live => {
                self.wait_for_key().await;
                let base = self.live_base_url();
                self.check_key_binding(&base)?;
                let mut st = self.conn.lock().unwrap();
                if let Some(c) = &st.live {
                    return Ok(c.clone());
                }
                let Some((key, _)) = st.key.clone() else {
                    return Err(EngineError::Input(
                        "No API key is set. Add your CatchAll API key in Settings to use the live service.".into(),
                    ));
                };
                let timeout = self
                    .options
                    .request_timeout
                    .unwrap_or(Duration::from_secs(60));
                let c = Clients::new(&base, key, timeout)?;
                st.live = Some(c.clone());
                Ok(c)
            }
        }
    }

    /// The server the user currently works with.
    pub(crate) fn current_server(&self) -> Server {
        Server::of(self.conn.lock().unwrap().mode)
    }

    /// The plan's limits, cached for ten minutes per server.
    pub(crate) async fn limits(
        &self,
        server: Server,
        fresh: bool,
    ) -> Result<Arc<LimitsResponse>, EngineError> {
        const TTL: Duration = Duration::from_secs(600);
        if !fresh {
            if let Some((at, l)) = self.limits_cache.lock().unwrap().get(&server) {
                if at.elapsed() < TTL {
                    return Ok(l.clone());
                }
            }
        }
        let clients = self.clients(server).await?;
        let l = Arc::new(clients.api.limits().await?);
        self.limits_cache
            .lock()
            .unwrap()
            .insert(server, (Instant::now(), l.clone()));
        Ok(l)
    }

    /// Waits (briefly) for the keyring read started at launch.
    pub(crate) async fn wait_for_key(&self) {
        let mut rx = self.key_loaded.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|loaded| *loaded)).await;
    }
}

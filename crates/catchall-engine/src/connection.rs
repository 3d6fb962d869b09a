//! Which server the engine talks to (the built-in sandbox or the live
//! service), with which key, and the HTTP clients for it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use catchall_api::{origin_of, ApiKey, Client, ClientConfig, LimitsResponse, RetryPolicy};
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};
use tokio::sync::{watch, OnceCell};

use crate::dto::{Connection, KeyStatus};
use crate::secret::{KeyringStore, KeyringUnavailable};
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
struct ConnState {
    mode: Connection,
    key: Option<(ApiKey, KeySource)>,
    keyring_available: bool,
    keyring_message: Option<String>,
    /// Live clients, built on first need from the key and base URL.
    live: Option<Clients>,
}

impl ConnState {
    fn key_status(&self) -> KeyStatus {
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

/// How the sandbox is reached: an address given (tests), or started
/// in-process on first need with its state in the data folder.
#[derive(Clone, Debug)]
pub(crate) struct SandboxSetup {
    pub url: Option<String>,
    pub pace: Pace,
    pub state_dir: PathBuf,
}

/// Where the live service is, and which origin the held key was saved for
/// (`None`: not recorded, so the address's own; see `binding.rs`).
#[derive(Clone, Debug)]
pub(crate) struct LiveTarget {
    pub base_url: String,
    pub key_origin: Option<String>,
}

/// The engine's connection part: the mode, the key (keyring, session or
/// environment), the sandbox, the live clients and the plan's limits. It
/// owns all of it; the engine persists the user's choices in the store and
/// tells it what changed. Tracking and the queue only ask it for clients.
pub(crate) struct Connector {
    state: Mutex<ConnState>,
    keyring: Option<Arc<KeyringStore>>,
    /// True once the keyring read started at launch has finished.
    key_loaded: watch::Sender<bool>,
    sandbox: OnceCell<SandboxConn>,
    sandbox_setup: SandboxSetup,
    /// Per-request timeout for every server instead of the defaults.
    timeout: Option<Duration>,
    live: Mutex<LiveTarget>,
    limits_cache: Mutex<HashMap<Server, (Instant, Arc<LimitsResponse>)>>,
}

/// How long `Connector::start_keyring_read` waits before going on without
/// the keyring (the answer still arrives in the background).
const KEYRING_WAIT: Duration = Duration::from_millis(300);

impl Connector {
    pub fn new(
        sandbox_setup: SandboxSetup,
        timeout: Option<Duration>,
        keyring: Option<Arc<KeyringStore>>,
        env_key: Option<ApiKey>,
        live: LiveTarget,
    ) -> Connector {
        let (key_loaded, _) = watch::channel(keyring.is_none());
        Connector {
            state: Mutex::new(ConnState {
                mode: Connection::Sandbox,
                key: env_key.map(|k| (k, KeySource::Env)),
                keyring_available: false,
                keyring_message: keyring.is_none().then(|| {
                    "The system keyring is switched off for this run; a key can be used for this session only.".into()
                }),
                live: None,
            }),
            keyring,
            key_loaded,
            sandbox: OnceCell::new(),
            sandbox_setup,
            timeout,
            live: Mutex::new(live),
            limits_cache: Mutex::new(HashMap::new()),
        }
    }

    fn state(&self) -> MutexGuard<'_, ConnState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the keyring (it may be slow: D-Bus activation) and waits a
    /// moment for it; a later answer is applied in the background.
    pub async fn start_keyring_read(self: &Arc<Self>) {
        let Some(kr) = self.keyring.clone() else {
            return;
        };
        let weak = Arc::downgrade(self);
        let read = tokio::task::spawn_blocking(move || kr.load());
        let apply = tokio::spawn(async move {
            let result = read.await.unwrap_or_else(|e| {
                Err(KeyringUnavailable(format!("the keyring read stopped: {e}")))
            });
            if let Some(me) = weak.upgrade() {
                me.apply_keyring_read(result);
            }
        });
        let _ = tokio::time::timeout(KEYRING_WAIT, apply).await;
    }

    fn apply_keyring_read(&self, result: Result<Option<ApiKey>, KeyringUnavailable>) {
        {
            let mut st = self.state();
            match result {
                Ok(found) => {
                    st.keyring_available = true;
                    st.keyring_message = None;
                    // A key given for this run (typed, or CATCHALL_API_KEY)
                    // wins over the stored one.
                    if let Some(k) = found {
                        if st.key.is_none() {
                            st.key = Some((k, KeySource::Keyring));
                            st.live = None;
                        }
                    }
                }
                Err(e) => {
                    st.keyring_available = false;
                    st.keyring_message = Some(e.0);
                }
            }
        }
        self.key_loaded.send_replace(true);
    }

    /// Waits (briefly) for the keyring read started at launch.
    pub async fn wait_for_key(&self) {
        let mut rx = self.key_loaded.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|loaded| *loaded)).await;
    }

    /// The keyring read started at launch has not answered yet.
    pub fn key_pending(&self) -> bool {
        !*self.key_loaded.borrow()
    }

    pub fn has_key(&self) -> bool {
        self.state().key.is_some()
    }

    pub fn key_status(&self) -> KeyStatus {
        self.state().key_status()
    }

    /// The key as logs may show it.
    pub fn key_redacted(&self) -> Option<String> {
        self.state().key.as_ref().map(|(k, _)| k.redacted())
    }

    pub fn mode(&self) -> Connection {
        self.state().mode
    }

    pub fn set_mode(&self, mode: Connection) {
        self.state().mode = mode;
    }

    /// The server the user currently works with.
    pub fn current_server(&self) -> Server {
        Server::of(self.mode())
    }

    pub fn request_timeout(&self, server: Server) -> Duration {
        self.timeout.unwrap_or(match server {
            Server::Sandbox => Duration::from_secs(30),
            Server::Live => Duration::from_secs(60),
        })
    }

    /// The sandbox, started on first need.
    pub async fn sandbox(&self) -> Result<&SandboxConn, EngineError> {
        self.sandbox
            .get_or_try_init(|| async {
                let setup = &self.sandbox_setup;
                let (base_url, server) = match &setup.url {
                    Some(url) => (url.clone(), None),
                    None => {
                        let cfg = SandboxConfig {
                            pace: setup.pace,
                            // Its jobs live in the data folder, so trial
                            // jobs survive a restart of the app.
                            state_dir: Some(setup.state_dir.clone()),
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
                let clients = Clients::new(
                    &base_url,
                    ApiKey::new(SANDBOX_KEY),
                    self.request_timeout(Server::Sandbox),
                )?;
                Ok::<_, EngineError>(SandboxConn {
                    base_url,
                    clients,
                    _server: server,
                })
            })
            .await
    }

    /// The sandbox's address once it runs.
    pub fn sandbox_base_url(&self) -> Option<String> {
        self.sandbox.get().map(|s| s.base_url.clone())
    }

    /// Clients for a server; the live one needs a key, and only for the
    /// service that key was saved for.
    pub async fn clients(&self, server: Server) -> Result<Clients, EngineError> {
        match server {
            Server::Sandbox => Ok(self.sandbox().await?.clients.clone()),
            Server::Live => {
                self.wait_for_key().await;
                let base = self.live_base_url();
                self.check_key_binding(&base)?;
                let mut st = self.state();
                if let Some(c) = &st.live {
                    return Ok(c.clone());
                }
                let Some((key, _)) = st.key.clone() else {
                    return Err(EngineError::Input(
                        "No API key is set. Add your CatchAll API key in Settings to use the live service.".into(),
                    ));
                };
                let c = Clients::new(&base, key, self.request_timeout(Server::Live))?;
                st.live = Some(c.clone());
                Ok(c)
            }
        }
    }

    /// The plan's limits, cached for ten minutes per server.
    pub async fn limits(
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
        self.remember_limits(server, l.clone());
        Ok(l)
    }

    /// The limits last read, however old (local checks only).
    pub fn cached_limits(&self, server: Server) -> Option<Arc<LimitsResponse>> {
        self.limits_cache
            .lock()
            .unwrap()
            .get(&server)
            .map(|(_, l)| l.clone())
    }

    fn remember_limits(&self, server: Server, limits: Arc<LimitsResponse>) {
        self.limits_cache
            .lock()
            .unwrap()
            .insert(server, (Instant::now(), limits));
    }

    /// The OS keyring entry, unless switched off for this run.
    pub fn keyring(&self) -> Option<Arc<KeyringStore>> {
        self.keyring.clone()
    }

    /// Uses a key the service accepted (with the clients and limits of
    /// that check) and goes live. `keyring_problem` is `None` when the
    /// keyring was not asked.
    pub fn use_key(
        &self,
        key: ApiKey,
        source: KeySource,
        clients: Clients,
        limits: LimitsResponse,
        keyring_problem: Option<Option<String>>,
    ) {
        {
            let mut st = self.state();
            st.key = Some((key, source));
            st.live = Some(clients);
            st.mode = Connection::Live;
            if let Some(problem) = keyring_problem {
                st.keyring_available = problem.is_none();
                st.keyring_message = problem;
            }
        }
        self.remember_limits(Server::Live, Arc::new(limits));
    }

    /// Forgets the key and goes back to the sandbox.
    pub fn forget_key(&self, keyring_problem: Option<String>) {
        {
            let mut st = self.state();
            st.key = None;
            st.live = None;
            st.mode = Connection::Sandbox;
            if let Some(p) = keyring_problem {
                st.keyring_available = false;
                st.keyring_message = Some(p);
            }
        }
        self.limits_cache.lock().unwrap().remove(&Server::Live);
    }

    pub fn live_base_url(&self) -> String {
        self.live.lock().unwrap().base_url.clone()
    }

    /// A new live address: live clients and limits are made again for it.
    pub fn set_live_base_url(&self, base_url: String) {
        let changed = {
            let mut live = self.live.lock().unwrap();
            let changed = live.base_url != base_url;
            live.base_url = base_url;
            changed
        };
        if changed {
            self.state().live = None;
            self.limits_cache.lock().unwrap().remove(&Server::Live);
        }
    }

    /// The origin the held key belongs to: the one recorded when it was
    /// saved, else (a key from before the binding, or from the
    /// environment) the live address's.
    pub fn key_origin(&self) -> Option<String> {
        let live = self.live.lock().unwrap();
        live.key_origin
            .clone()
            .or_else(|| origin_of(&live.base_url))
    }

    pub fn set_key_origin(&self, origin: Option<String>) {
        self.live.lock().unwrap().key_origin = origin;
    }

    /// Refuses a keyed client for any service but the key's own (a last
    /// check, whatever changed the address).
    pub fn check_key_binding(&self, base: &str) -> Result<(), EngineError> {
        let Some(bound) = self.key_origin() else {
            return Ok(());
        };
        if origin_of(base).as_deref() == Some(bound.as_str()) {
            return Ok(());
        }
        Err(EngineError::Input(format!(
            "Your API key was saved for {bound}, so it is not sent to {base}. Save the server address in Settings again (the app asks you to confirm it) or add your key again."
        )))
    }
}

//! The API key is bound to the service it was saved for.
//!
//! The page may change settings, but it must never be able to point the
//! stored key at another host: a page running foreign script would send the
//! key there with two calls. So, while a key is held, a server address with
//! another origin (scheme, host, port) is refused with
//! [`EngineError::NewHost`]; only [`Engine::save_settings_for_new_host`],
//! which the app shell calls after the user confirmed the host in a native
//! dialog (outside the page's reach), saves it. Without a key the address
//! is free to change: the key typed next is checked against, and bound to,
//! that address. Plain http is only accepted for a server on this computer.

use catchall_api::{is_loopback, origin_of};

use crate::dto::{Settings, Theme};
use crate::engine::{
    Engine, Inner, POLL_RANGE_SECS, SETTING_BASE_URL, SETTING_CONFIRM_ABOVE, SETTING_POLL,
    SETTING_THEME,
};
use crate::EngineError;

type R<T> = Result<T, EngineError>;

/// The origin of the service the held key was saved for.
pub(crate) const SETTING_KEY_ORIGIN: &str = "key_origin";

/// A server address as typed, checked and tidied before anything is saved.
pub(crate) fn check_base_url(text: &str) -> R<String> {
    let base = text.trim().trim_end_matches('/');
    if base.is_empty() {
        return Ok(catchall_api::DEFAULT_BASE_URL.to_owned());
    }
    let lower = base.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || origin_of(base).is_none()
    {
        return Err(EngineError::Input(
            "The server address must start with https:// (for example https://catchall.newscatcherapi.com)."
                .into(),
        ));
    }
    if lower.starts_with("http://") && !is_loopback(base) {
        return Err(EngineError::Input(format!(
            "The server address \"{base}\" is plain http, which would send your API key unencrypted. Use https:// (plain http is only for a server on this computer)."
        )));
    }
    Ok(base.to_owned())
}

impl Inner {
    /// Records (and persists) that the held key belongs to `base`'s service.
    pub(crate) fn bind_key(&self, base: &str) -> R<()> {
        let origin = origin_of(base);
        match &origin {
            Some(o) => self.store().set_setting(SETTING_KEY_ORIGIN, o)?,
            None => self.store().delete_setting(SETTING_KEY_ORIGIN)?,
        }
        self.connector.set_key_origin(origin);
        Ok(())
    }

    pub(crate) fn unbind_key(&self) -> R<()> {
        self.store().delete_setting(SETTING_KEY_ORIGIN)?;
        self.connector.set_key_origin(None);
        Ok(())
    }
}

impl Engine {
    /// Saves the settings; a server address on another host while a key is
    /// held is refused with [`EngineError::NewHost`] (see the module docs).
    pub async fn save_settings(&self, settings: Settings) -> R<Settings> {
        self.save_settings_checked(settings, None).await
    }

    /// Saves settings whose server address is on a new host, after the
    /// user confirmed `confirmed_origin` outside the page (the app shell's
    /// native dialog); the key is then bound to that host. Only for the
    /// shell: never expose this as a page command.
    pub async fn save_settings_for_new_host(
        &self,
        settings: Settings,
        confirmed_origin: &str,
    ) -> R<Settings> {
        self.save_settings_checked(settings, Some(confirmed_origin))
            .await
    }

    async fn save_settings_checked(
        &self,
        settings: Settings,
        confirmed_origin: Option<&str>,
    ) -> R<Settings> {
        let inner = self.inner();
        let base = check_base_url(&settings.base_url)?;
        let new_origin = origin_of(&base);
        // A key still being read from the keyring is a key held.
        let conn = &inner.connector;
        conn.wait_for_key().await;
        let key_held = conn.has_key();
        let bound = conn.key_origin();
        let moves = key_held && bound.is_some() && bound != new_origin;
        if moves && confirmed_origin != new_origin.as_deref() {
            return Err(EngineError::NewHost {
                host: new_origin.unwrap_or_else(|| base.clone()),
                saved_for: bound.unwrap_or_default(),
            });
        }
        // Refused, never silently changed: the screen shows what was kept.
        let poll = settings.poll_interval_secs;
        if !POLL_RANGE_SECS.contains(&poll) {
            return Err(EngineError::Input(format!(
                "Check job status every {} to {} seconds: the service asks for that range.",
                POLL_RANGE_SECS.start(),
                POLL_RANGE_SECS.end()
            )));
        }
        let changed_base = {
            let store = inner.store();
            let old = store.get_setting(SETTING_BASE_URL)?;
            store.set_setting(SETTING_BASE_URL, &base)?;
            store.set_setting(SETTING_POLL, &poll.to_string())?;
            store.set_setting(
                SETTING_CONFIRM_ABOVE,
                &settings.confirm_above_records.to_string(),
            )?;
            store.set_setting(
                SETTING_THEME,
                match settings.theme {
                    Theme::Light => "light",
                    Theme::Dark => "dark",
                    Theme::System => "system",
                },
            )?;
            old.as_deref() != Some(base.as_str())
        };
        if key_held && (moves || confirmed_origin.is_some()) {
            inner.bind_key(&base)?;
        }
        // The command line's `--base-url` stays this run's address.
        if changed_base && inner.options.live_base_url.is_none() {
            conn.set_live_base_url(base);
        }
        inner.settings()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_this_computer() {
        assert_eq!(
            check_base_url(" https://api.example.com/ ").unwrap(),
            "https://api.example.com"
        );
        assert_eq!(check_base_url("").unwrap(), catchall_api::DEFAULT_BASE_URL);
        for ok in [
            "http://127.0.0.1:8787",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            check_base_url(ok).unwrap();
        }
        for bad in [
            "http://192.0.2.2:8080",
            "HTTP://api.example.com",
            "ftp://x",
            "https://",
            "catchall.newscatcherapi.com",
        ] {
            let e = check_base_url(bad).unwrap_err();
            assert!(matches!(e, EngineError::Input(_)), "{bad}");
        }
    }
}

//! The API key in the OS keyring (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows). There is deliberately no
//! plaintext fallback: without a keyring the engine keeps a key typed for
//! this session in memory only.

use catchall_api::ApiKey;
use keyring::Entry;

/// Keyring service of release builds.
pub const SERVICE: &str = "CatchAll Desk";
/// Dev builds use another entry, so a developer's tests never replace the
/// key of an installed app.
pub const DEV_SERVICE: &str = "CatchAll Desk (dev)";
pub const USER: &str = "api-key";
/// A key from the environment (the command line, scripts); never stored.
pub const ENV_KEY: &str = "CATCHALL_API_KEY";

/// Why the keyring cannot be used, in words that say what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringUnavailable(pub String);

impl std::fmt::Display for KeyringUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One keyring entry (service + "api-key"). Holds a single `Entry` for its
/// whole life: the mock store used in tests keeps its secret in the entry.
pub struct KeyringStore {
    entry: Result<Entry, KeyringUnavailable>,
}

impl std::fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringStore")
            .field("available", &self.entry.is_ok())
            .finish()
    }
}

impl KeyringStore {
    /// The OS keyring entry of this build.
    pub fn os(dev: bool) -> Self {
        let service = if dev { DEV_SERVICE } else { SERVICE };
        KeyringStore {
            entry: Entry::new(service, USER).map_err(|e| explain(&e, None)),
        }
    }

    /// A given entry (tests use keyring's mock credentials).
    pub fn with_entry(entry: Entry) -> Self {
        KeyringStore { entry: Ok(entry) }
    }

    /// The entry itself, when it could be made (tests reach keyring's mock through it).
    pub fn keyring_entry(&self) -> Option<&Entry> {
        self.entry.as_ref().ok()
    }

    fn entry(&self) -> Result<&Entry, KeyringUnavailable> {
        self.entry.as_ref().map_err(Clone::clone)
    }

    /// The stored key, `None` when there is none. Blocking (D-Bus on Linux).
    pub fn load(&self) -> Result<Option<ApiKey>, KeyringUnavailable> {
        match self.entry()?.get_password() {
            Ok(k) if k.trim().is_empty() => Ok(None),
            Ok(k) => Ok(Some(ApiKey::new(k))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(&e, None)),
        }
    }

    /// Stores (or replaces) the key.
    pub fn save(&self, key: &ApiKey) -> Result<(), KeyringUnavailable> {
        self.entry()?
            .set_password(key.expose())
            .map_err(|e| explain(&e, Some(key)))
    }

    /// Removes the key; removing a key that is not there is fine.
    pub fn remove(&self) -> Result<(), KeyringUnavailable> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(explain(&e, None)),
        }
    }
}

/// `CATCHALL_API_KEY`, when set and not blank.
pub fn env_key() -> Option<ApiKey> {
    std::env::var(ENV_KEY)
        .ok()
        .map(ApiKey::new)
        .filter(|k| !k.is_empty())
}

#[cfg(target_os = "linux")]
const WHAT_TO_DO: &str = "Install and start a Secret Service keyring (gnome-keyring, or KeePassXC with its \
     Secret Service integration turned on) and make sure it is unlocked, then try again. Until then your key \
     can be used for this session only.";
#[cfg(target_os = "macos")]
const WHAT_TO_DO: &str =
    "Check that your login keychain is available and unlocked (Keychain Access), then try \
     again. Until then your key can be used for this session only.";
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
const WHAT_TO_DO: &str =
    "Check that Windows Credential Manager is available for your account, then try again. \
     Until then your key can be used for this session only.";

/// Plain words for a keyring failure. The platform's own text is kept for
/// support, with the key scrubbed out should it ever appear in it.
fn explain(e: &keyring::Error, key: Option<&ApiKey>) -> KeyringUnavailable {
    let detail = match e {
        keyring::Error::PlatformFailure(inner) => inner.to_string(),
        keyring::Error::NoStorageAccess(inner) => {
            format!("the keyring is locked or not reachable: {inner}")
        }
        other => other.to_string(),
    };
    let detail = match key {
        Some(k) if !k.is_empty() => detail.replace(k.expose(), "****"),
        _ => detail,
    };
    KeyringUnavailable(format!(
        "The system keyring cannot be used ({}). {WHAT_TO_DO}",
        detail.trim().trim_end_matches('.')
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring::mock::MockCredential;

    fn mock_store() -> KeyringStore {
        let cred = keyring::mock::default_credential_builder()
            .build(None, DEV_SERVICE, USER)
            .unwrap();
        KeyringStore::with_entry(Entry::new_with_credential(cred))
    }

    #[test]
    fn save_replace_load_remove() {
        let s = mock_store();
        assert_eq!(s.load().unwrap(), None);
        s.save(&ApiKey::new("first-key-1234")).unwrap();
        assert_eq!(s.load().unwrap().unwrap().expose(), "first-key-1234");
        s.save(&ApiKey::new("second-key-5678")).unwrap();
        assert_eq!(s.load().unwrap().unwrap().expose(), "second-key-5678");
        s.remove().unwrap();
        assert_eq!(s.load().unwrap(), None);
        // Removing twice is fine.
        s.remove().unwrap();
    }

    #[test]
    fn a_failing_keyring_says_what_to_do_and_never_shows_the_key() {
        let s = mock_store();
        let mock: &MockCredential = s.entry().unwrap().get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::PlatformFailure(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any \
             .service files (while storing sk-live-SECRET-9999)"
                .into(),
        ));
        let err = s.save(&ApiKey::new("sk-live-SECRET-9999")).unwrap_err();
        assert!(!err.0.contains("sk-live-SECRET"), "{err}");
        assert!(err.0.contains("****"), "{err}");
        #[cfg(target_os = "linux")]
        assert!(
            err.0.contains("gnome-keyring") && err.0.contains("KeePassXC"),
            "{err}"
        );
        assert!(err.0.contains("this session only"), "{err}");

        let mock: &MockCredential = s.entry().unwrap().get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::NoStorageAccess(
            "collection is locked".into(),
        ));
        let err = s.load().unwrap_err();
        assert!(err.0.contains("locked"), "{err}");
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let s = mock_store();
        s.save(&ApiKey::new("sk-live-SECRET-1234")).unwrap();
        assert!(!format!("{s:?}").contains("SECRET"));
        assert!(!format!("{:?}", s.load().unwrap()).contains("SECRET"));
    }

    /// Against a real Secret Service: run through scripts/with-keyring.sh,
    /// which starts a private D-Bus session with an unlocked gnome-keyring.
    #[test]
    fn real_secret_service_round_trip() {
        if std::env::var_os("CATCHALL_KEYRING_TEST").is_none() {
            eprintln!("skipped: set CATCHALL_KEYRING_TEST=1 (scripts/with-keyring.sh) to test the real keyring");
            return;
        }
        let s = KeyringStore::os(true);
        s.remove().unwrap();
        assert_eq!(s.load().unwrap(), None);
        s.save(&ApiKey::new("real-keyring-key-0001")).unwrap();
        // A fresh entry reads what the first one wrote: it is really stored.
        let again = KeyringStore::os(true);
        assert_eq!(
            again.load().unwrap().unwrap().expose(),
            "real-keyring-key-0001"
        );
        again.save(&ApiKey::new("real-keyring-key-0002")).unwrap();
        assert_eq!(s.load().unwrap().unwrap().expose(), "real-keyring-key-0002");
        s.remove().unwrap();
        assert_eq!(again.load().unwrap(), None);
        // The release entry was not touched by the dev entry.
        assert_eq!(KeyringStore::os(false).load().unwrap(), None);
    }
}

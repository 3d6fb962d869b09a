//! The analyst's own query templates ("Save as template"): named drafts,
//! kept beside the composer's draft in the store. The worked examples of
//! the gallery ship with the UI.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::dto::JobDraft;
use crate::{Engine, EngineError};

const PREFIX: &str = "template:";
/// Long enough for a descriptive name, short enough for a gallery card.
pub const MAX_TEMPLATE_NAME: usize = 80;

/// A saved query template: a name and the draft it fills in.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QueryTemplate {
    pub name: String,
    pub draft: JobDraft,
}

impl Engine {
    /// The analyst's templates, most recently saved first.
    pub fn templates(&self) -> Result<Vec<QueryTemplate>, EngineError> {
        let store = self.inner.store();
        let mut out = Vec::new();
        for key in store.list_drafts()? {
            let Some(name) = key.strip_prefix(PREFIX) else {
                continue;
            };
            // A template the app can no longer read is skipped, not fatal.
            if let Some(draft) = store
                .load_draft(&key)?
                .and_then(|j| serde_json::from_str::<JobDraft>(&j).ok())
            {
                out.push(QueryTemplate {
                    name: name.to_owned(),
                    draft,
                });
            }
        }
        Ok(out)
    }

    /// Saves (or replaces) a template under its name.
    pub fn save_template(
        &self,
        name: String,
        draft: JobDraft,
    ) -> Result<Vec<QueryTemplate>, EngineError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EngineError::Input("Give the template a name.".into()));
        }
        if name.chars().count() > MAX_TEMPLATE_NAME {
            return Err(EngineError::Input(format!(
                "Keep the template's name under {MAX_TEMPLATE_NAME} characters."
            )));
        }
        if draft.query.trim().is_empty() {
            return Err(EngineError::Input(
                "Write a query first: a template without one fills in nothing.".into(),
            ));
        }
        let json = serde_json::to_string(&draft)
            .map_err(|e| EngineError::Internal(format!("could not save the template: {e}")))?;
        self.inner
            .store()
            .save_draft(&format!("{PREFIX}{name}"), &json)?;
        self.templates()
    }

    pub fn delete_template(&self, name: String) -> Result<Vec<QueryTemplate>, EngineError> {
        self.inner
            .store()
            .delete_draft(&format!("{PREFIX}{}", name.trim()))?;
        self.templates()
    }
}

//! Webhooks: where a monitor's (or a job's) results are sent so a team
//! hears about them (`docs/api.md`, section 6). The app polls for itself;
//! webhooks only notify people.

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    lenient_bool, lenient_date, lenient_list, lenient_string, lenient_text, lenient_u64,
    paged_answer,
};
use crate::request::{check_id, input, paging, Req};
use crate::retry::RequestKind;
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The URL rules the service applies, checked before sending: HTTPS, a
/// host name (not an IP address), and the right host for Slack or Teams.
pub fn check_webhook_url(url: &str, kind: Option<&str>) -> Result<(), ApiError> {
    let text = url.trim();
    if text.is_empty() {
        return Err(input("Give the address the webhook should post to."));
    }
    let parsed = Url::parse(text)
        .map_err(|_| input(format!("\"{text}\" is not a web address (https://...).")))?;
    if parsed.scheme() != "https" {
        return Err(input(
            "A webhook address must start with https:// (the service only posts over a secure connection).",
        ));
    }
    let host = match parsed.host_str() {
        Some(h) if !h.is_empty() => h.to_ascii_lowercase(),
        _ => return Err(input("The webhook address has no host name.")),
    };
    if host
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .is_ok()
    {
        return Err(input(
            "A webhook address must use a host name, not an IP address.",
        ));
    }
    match kind.map(str::trim) {
        Some("slack") if !text.starts_with("https://hooks.slack.com/") => Err(input(
            "A Slack webhook address starts with https://hooks.slack.com/.",
        )),
        Some("teams")
            if !(host.ends_with(".webhook.office.com")
                || host.ends_with(".webhook.office365.com")) =>
        {
            Err(input(
                "A Teams webhook address is on a *.webhook.office.com (or office365.com) host.",
            ))
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// requests

/// How the webhook authenticates to its target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WebhookAuth {
    Bearer { token: String },
    ApiKey { header: String, value: String },
    Basic { username: String, password: String },
}

/// A Liquid template for `custom` webhooks.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct FormatterConfig {
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// `POST /catchAll/webhooks` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    /// `generic | slack | teams | custom`; detected from the URL when left out.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `full | per_record`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<WebhookAuth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatter_config: Option<FormatterConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

impl WebhookInput {
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        WebhookInput {
            name: name.into(),
            url: url.into(),
            ..Default::default()
        }
    }

    pub fn check(&self) -> Result<(), ApiError> {
        if self.name.trim().is_empty() {
            return Err(input(
                "Give the webhook a name, e.g. the channel it posts to.",
            ));
        }
        check_webhook_url(&self.url, self.kind.as_deref())?;
        if self.kind.as_deref() == Some("custom") && self.formatter_config.is_none() {
            return Err(input("A custom webhook needs a template."));
        }
        Ok(())
    }
}

/// `PATCH /catchAll/webhooks/{id}` body: what is left out stays; `auth`,
/// `headers` and `params` are replaced whole.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WebhookUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<WebhookAuth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatter_config: Option<FormatterConfig>,
    /// `false` pauses deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
}

// ---------------------------------------------------------------------------
// responses

/// A webhook as the service keeps it (secrets masked).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Webhook {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub url: String,
    #[serde(rename = "type", default, deserialize_with = "lenient_text")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub delivery_mode: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub method: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_active: bool,
    #[serde(default)]
    pub headers: Option<Value>,
    #[serde(default)]
    pub params: Option<Value>,
    /// Masked by the service.
    #[serde(default)]
    pub auth: Option<Value>,
    #[serde(default)]
    pub formatter_config: Option<Value>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_by_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub updated_at: Option<String>,
}

/// Create, get and update answers.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WebhookAnswer {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default)]
    pub webhook: Option<Webhook>,
}

paged_answer! {
    /// A page of webhooks.
    WebhooksPage { webhooks: Webhook }
}

/// `POST .../{id}/test` answer: `success` means the target answered 2xx.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WebhookTestResult {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub http_status_code: Option<u64>,
    #[serde(default)]
    pub response_body: Option<Value>,
}

/// A webhook assigned to a job, monitor or monitor group.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WebhookMapping {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub webhook_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_id: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub assigned_at: Option<String>,
}

paged_answer! {
    /// A page of a webhook's assignments.
    WebhookMappingsPage { resources: WebhookMapping }
}

/// `POST .../{id}/resources` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct AssignAnswer {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub already_existed: bool,
    #[serde(default)]
    pub mapping: Option<WebhookMapping>,
}

/// One delivery (or test) of a webhook.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Delivery {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub webhook_id: String,
    /// `job | monitor | monitor_group | test`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_id: String,
    /// The target's answer.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub status_code: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub attempt_number: Option<u64>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub timestamp: Option<String>,
    /// `SUCCESS | FAILED`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub delivery_status: String,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub error_message: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub warning_message: Option<String>,
}

/// `GET /catchAll/webhook-history` answer, newest first.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DeliveryPage {
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub resource_id: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page_size: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_pages: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub items: Vec<Delivery>,
}

#[derive(Serialize)]
struct TestBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<&'a Value>,
}

#[derive(Serialize)]
struct AssignBody<'a> {
    resource_type: &'a str,
    resource_id: &'a str,
}

fn check_resource_type(t: &str) -> Result<(), ApiError> {
    match t {
        "job" | "monitor" | "monitor_group" | "test" => Ok(()),
        other => Err(input(format!(
            "\"{other}\" is not something a webhook can serve (job, monitor or monitor_group)."
        ))),
    }
}

/// A job, monitor or monitor group a webhook serves: both parts checked.
fn check_resource(resource_type: &str, resource_id: &str) -> Result<(), ApiError> {
    check_resource_type(resource_type)?;
    check_id(resource_type, resource_id)
}

/// `/catchAll/webhooks/{id}/{rest}`, once the id is checked.
fn webhook<'a>(method: Method, id: &'a str, rest: &[&'a str]) -> Result<Req<'a>, ApiError> {
    check_id("webhook", id)?;
    Ok(Req::new(method, &["catchAll", "webhooks", id])
        .then(rest)
        .job(id))
}

impl Client {
    /// `POST /catchAll/webhooks`. Never repeated after a lost answer.
    pub async fn create_webhook(&self, input: &WebhookInput) -> Result<WebhookAnswer, ApiError> {
        input.check()?;
        let r = Req::post(&["catchAll", "webhooks"]).json(input);
        self.call(r.kind(RequestKind::CreatesJob)).await
    }

    /// `GET /catchAll/webhooks`, optionally searching names.
    pub async fn list_webhooks(
        &self,
        page: u32,
        page_size: u32,
        search: Option<&str>,
    ) -> Result<WebhooksPage, ApiError> {
        let search = search
            .filter(|s| !s.trim().is_empty())
            .map(|s| ("search", s.to_owned()));
        let r = Req::get(&["catchAll", "webhooks"])
            .query(paging(page, page_size))
            .query(search);
        self.call(r).await
    }

    /// `GET /catchAll/webhooks/{id}`.
    pub async fn get_webhook(&self, id: &str) -> Result<WebhookAnswer, ApiError> {
        self.call(webhook(Method::GET, id, &[])?).await
    }

    /// `PATCH /catchAll/webhooks/{id}`.
    pub async fn update_webhook(
        &self,
        id: &str,
        update: &WebhookUpdate,
    ) -> Result<WebhookAnswer, ApiError> {
        let r = webhook(Method::PATCH, id, &[])?;
        if let Some(url) = &update.url {
            check_webhook_url(url, update.kind.as_deref())?;
        }
        self.call(r.json(update)).await
    }

    /// `DELETE /catchAll/webhooks/{id}`: permanent, drops its assignments.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), ApiError> {
        self.call_empty(webhook(Method::DELETE, id, &[])?).await
    }

    /// `POST /catchAll/webhooks/{id}/test`: sends `payload` (or a sample).
    pub async fn test_webhook(
        &self,
        id: &str,
        payload: Option<&Value>,
    ) -> Result<WebhookTestResult, ApiError> {
        let r = webhook(Method::POST, id, &["test"])?;
        self.call(r.json(&TestBody { payload })).await
    }

    /// `GET /catchAll/webhooks/{id}/resources`.
    pub async fn webhook_resources(
        &self,
        id: &str,
        resource_type: Option<&str>,
        page: u32,
        page_size: u32,
    ) -> Result<WebhookMappingsPage, ApiError> {
        let r = webhook(Method::GET, id, &["resources"])?;
        if let Some(t) = resource_type {
            check_resource_type(t)?;
        }
        let kind = resource_type.map(|t| ("resource_type", t.to_owned()));
        self.call(r.query(paging(page, page_size)).query(kind))
            .await
    }

    /// `POST /catchAll/webhooks/{id}/resources`: attach to a job or monitor.
    pub async fn assign_webhook(
        &self,
        id: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<AssignAnswer, ApiError> {
        let r = webhook(Method::POST, id, &["resources"])?;
        check_resource(resource_type, resource_id)?;
        self.call(r.json(&AssignBody {
            resource_type,
            resource_id,
        }))
        .await
    }

    /// `DELETE /catchAll/webhooks/{id}/resources/{type}/{rid}`.
    pub async fn unassign_webhook(
        &self,
        id: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<(), ApiError> {
        let r = webhook(
            Method::DELETE,
            id,
            &["resources", resource_type, resource_id],
        )?;
        check_resource(resource_type, resource_id)?;
        self.call_empty(r).await
    }

    /// `GET /catchAll/resources/{type}/{rid}/webhooks`.
    pub async fn resource_webhooks(
        &self,
        resource_type: &str,
        resource_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<WebhooksPage, ApiError> {
        check_resource(resource_type, resource_id)?;
        let path = ["catchAll", "resources", resource_type, resource_id];
        let r = Req::get(&path).then(&["webhooks"]).job(resource_id);
        self.call(r.query(paging(page, page_size))).await
    }

    /// `POST /catchAll/webhook/trigger/{type}/{rid}`: deliver again now
    /// (`job_id`: a past run of a monitor).
    pub async fn trigger_webhook(
        &self,
        resource_type: &str,
        resource_id: &str,
        webhook_id: &str,
        job_id: Option<&str>,
    ) -> Result<(), ApiError> {
        check_resource(resource_type, resource_id)?;
        check_id("webhook", webhook_id)?;
        let path = ["catchAll", "webhook", "trigger", resource_type, resource_id];
        let q = [("webhook_id", webhook_id)]
            .into_iter()
            .chain(job_id.map(|j| ("job_id", j)))
            .map(|(k, v)| (k, v.to_owned()));
        self.call_empty(Req::post(&path).job(resource_id).query(q))
            .await
    }

    /// `GET /catchAll/webhook-history`: a resource's deliveries, newest first.
    pub async fn webhook_history(
        &self,
        resource_type: &str,
        resource_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<DeliveryPage, ApiError> {
        check_resource(resource_type, resource_id)?;
        let q = [
            ("resource_type", resource_type.to_owned()),
            ("resource_id", resource_id.to_owned()),
        ];
        let r = Req::get(&["catchAll", "webhook-history"]).job(resource_id);
        self.call(r.query(q).query(paging(page, page_size))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_addresses_are_checked_in_plain_words() {
        let err = |u: &str, k: Option<&str>| check_webhook_url(u, k).unwrap_err().to_string();
        assert!(err("http://example.com/hook", None).contains("https://"));
        assert!(err("https://10.0.0.1/hook", None).contains("IP address"));
        assert!(err("https://example.com/x", Some("slack")).contains("hooks.slack.com"));
        assert!(err("https://example.com/x", Some("teams")).contains("office"));
        assert!(err("", None).contains("address"));
        check_webhook_url("https://hooks.slack.com/services/T/B/X", Some("slack")).unwrap();
        check_webhook_url("https://acme.webhook.office.com/x", Some("teams")).unwrap();
        check_webhook_url("https://hooks.example.org/x", None).unwrap();
        let auth = serde_json::to_value(WebhookAuth::ApiKey {
            header: "X-K".into(),
            value: "v".into(),
        })
        .unwrap();
        assert_eq!(auth["type"], "api_key");
    }
}

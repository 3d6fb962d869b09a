//! Error bodies (`{"detail": "..."}` / 422 `{"detail": [{loc, msg, type}]}`)
//! and a small pydantic-like checker for request bodies and query strings.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// An error answer of the API.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 400/403/404/429 ... with a message.
    Status(StatusCode, String),
    /// 422 with field-level details.
    Invalid(Vec<FieldError>),
}

#[derive(Debug, Clone)]
pub(crate) struct FieldError {
    pub loc: Vec<Value>,
    pub msg: String,
    pub kind: String,
}

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        ApiError::Status(StatusCode::BAD_REQUEST, msg.into())
    }
    pub fn not_found() -> Self {
        ApiError::Status(StatusCode::NOT_FOUND, "Job not found".into())
    }
    pub fn unauthorized(msg: impl Into<String>) -> Self {
        ApiError::Status(StatusCode::UNAUTHORIZED, msg.into())
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        ApiError::Status(StatusCode::FORBIDDEN, msg.into())
    }
    pub fn too_many(msg: impl Into<String>) -> Self {
        ApiError::Status(StatusCode::TOO_MANY_REQUESTS, msg.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Status(code, msg) => (code, Json(json!({ "detail": msg }))).into_response(),
            ApiError::Invalid(errs) => {
                let detail: Vec<Value> = errs
                    .into_iter()
                    .map(|e| json!({"loc": e.loc, "msg": e.msg, "type": e.kind}))
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({ "detail": detail })),
                )
                    .into_response()
            }
        }
    }
}

/// Collects field errors while reading an input object, pydantic style.
pub(crate) struct Checker<'a> {
    root: &'static str,
    obj: &'a Map<String, Value>,
    pub errors: Vec<FieldError>,
}

impl<'a> Checker<'a> {
    pub fn new(root: &'static str, obj: &'a Map<String, Value>) -> Self {
        Checker {
            root,
            obj,
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, path: &[Value], msg: impl Into<String>, kind: &str) {
        let mut loc = vec![json!(self.root)];
        loc.extend(path.iter().cloned());
        self.errors.push(FieldError {
            loc,
            msg: msg.into(),
            kind: kind.into(),
        });
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }

    pub fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.obj.get(name) {
            None if required => {
                self.error(&[json!(name)], "Field required", "missing");
                None
            }
            None | Some(Value::Null) if !required => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(
                    &[json!(name)],
                    "Input should be a valid string",
                    "string_type",
                );
                None
            }
            None => None,
        }
    }

    /// An integer (JSON number, or a string of digits like pydantic's lax mode).
    pub fn int(&mut self, name: &str) -> Option<i64> {
        let v = self.present(name)?;
        match parse_int(v) {
            Ok(n) => Some(n),
            Err((msg, kind)) => {
                self.error(&[json!(name)], msg, kind);
                None
            }
        }
    }

    /// A boolean (JSON `true`/`false`, or pydantic's lax strings and 0/1).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let v = self.present(name)?;
        match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Some(n.as_i64() == Some(1))
            }
            Value::String(s) if matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes") => {
                Some(true)
            }
            Value::String(s) if matches!(s.to_ascii_lowercase().as_str(), "false" | "0" | "no") => {
                Some(false)
            }
            _ => {
                self.error(
                    &[json!(name)],
                    "Input should be a valid boolean",
                    "bool_type",
                );
                None
            }
        }
    }

    pub fn string_list(&mut self, name: &str, max: Option<usize>) -> Option<Vec<String>> {
        let v = self.present(name)?;
        let Value::Array(items) = v else {
            self.error(&[json!(name)], "Input should be a valid list", "list_type");
            return None;
        };
        if let Some(max) = max {
            if items.len() > max {
                self.error(
                    &[json!(name)],
                    format!(
                        "List should have at most {max} items after validation, not {}",
                        items.len()
                    ),
                    "too_long",
                );
                return None;
            }
        }
        let mut out = Vec::new();
        for (i, it) in items.iter().enumerate() {
            match it {
                Value::String(s) => out.push(s.clone()),
                Value::Number(n) => out.push(n.to_string()),
                _ => self.error(
                    &[json!(name), json!(i)],
                    "Input should be a valid string",
                    "string_type",
                ),
            }
        }
        Some(out)
    }

    /// A list of objects; each is handed to `item` with its index.
    pub fn object_list(&mut self, name: &str) -> Option<Vec<&'a Map<String, Value>>> {
        let v = self.present(name)?;
        let Value::Array(items) = v else {
            self.error(&[json!(name)], "Input should be a valid list", "list_type");
            return None;
        };
        let mut out = Vec::new();
        for (i, it) in items.iter().enumerate() {
            match it {
                Value::Object(o) => out.push(o),
                _ => self.error(
                    &[json!(name), json!(i)],
                    "Input should be a valid dictionary or object to extract fields from",
                    "model_attributes_type",
                ),
            }
        }
        Some(out)
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self.errors))
        }
    }
}

pub(crate) fn parse_int(v: &Value) -> Result<i64, (&'static str, &'static str)> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if n
                .as_f64()
                .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
            {
                Ok(n.as_f64().unwrap() as i64)
            } else if n.as_f64().is_some() && n.as_u64().is_none() {
                Err((
                    "Input should be a valid integer, got a number with a fractional part",
                    "int_from_float",
                ))
            } else {
                Err(("Input should be a valid integer", "int_type"))
            }
        }
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| {
            (
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
            )
        }),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) | Value::Null => {
            Err(("Input should be a valid integer", "int_type"))
        }
    }
}

/// Parse a JSON body into an object, or the 422 FastAPI gives.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("body")],
            msg: "Field required".into(),
            kind: "missing".into(),
        }]));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("body")],
            msg: "Input should be a valid dictionary or object to extract fields from".into(),
            kind: "model_attributes_type".into(),
        }])),
        Err(e) => Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("body"), json!(e.column())],
            msg: "JSON decode error".into(),
            kind: "json_invalid".into(),
        }])),
    }
}

/// Read an integer query parameter with bounds, pydantic style.
pub(crate) fn query_int(
    errors: &mut Vec<FieldError>,
    params: &[(String, String)],
    name: &str,
    default: i64,
    min: i64,
    max: Option<i64>,
) -> i64 {
    let Some((_, raw)) = params.iter().find(|(k, _)| k == name) else {
        return default;
    };
    let loc = vec![json!("query"), json!(name)];
    match raw.trim().parse::<i64>() {
        Err(_) => {
            errors.push(FieldError {
                loc,
                msg: "Input should be a valid integer, unable to parse string as an integer".into(),
                kind: "int_parsing".into(),
            });
            default
        }
        Ok(n) if n < min => {
            errors.push(FieldError {
                loc,
                msg: format!("Input should be greater than or equal to {min}"),
                kind: "greater_than_equal".into(),
            });
            default
        }
        Ok(n) if max.is_some_and(|m| n > m) => {
            errors.push(FieldError {
                loc,
                msg: format!("Input should be less than or equal to {}", max.unwrap()),
                kind: "less_than_equal".into(),
            });
            default
        }
        Ok(n) => n,
    }
}

/// An enum-valued query parameter.
pub(crate) fn query_enum(
    errors: &mut Vec<FieldError>,
    params: &[(String, String)],
    name: &str,
    allowed: &[&str],
) -> Option<String> {
    let (_, raw) = params.iter().find(|(k, _)| k == name)?;
    if allowed.contains(&raw.as_str()) {
        Some(raw.clone())
    } else {
        errors.push(FieldError {
            loc: vec![json!("query"), json!(name)],
            msg: enum_msg(allowed),
            kind: "enum".into(),
        });
        None
    }
}

pub(crate) fn enum_msg(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("Input should be {} or {last}", rest.join(", "))
        }
        Some((last, _)) => format!("Input should be {last}"),
        None => "Input should be a valid enumeration member".into(),
    }
}

//! Request-parse failures of the JSON API, told in Indonesian and naming
//! the field.
//!
//! poem-openapi refuses a request that does not fit its operation (a
//! missing query parameter, a body field of the wrong type, a path id that
//! is no UUID) with an English message that names a Rust type, not the
//! field. This module turns each such refusal into an `AppError`: a
//! malformed request (no JSON at all, a path id that cannot be one) is a
//! 400; a body field or a query parameter that is missing or invalid is a
//! 422 whose `details` name each field, found by checking the request
//! against the operation's schema in the published document.

use poem::http::{Method, StatusCode, header};
use poem::{Body, Request};
use serde_json::Value;

use crate::error::{AppError, FieldError};

/// What the explanation needs from the request, kept before it is handled.
pub struct RequestFacts {
    method: Method,
    query: String,
    /// The body, when it was sent as JSON.
    json: Option<Vec<u8>>,
}

impl RequestFacts {
    /// Notes the method and query and keeps a copy of a JSON body (the body
    /// limit has already bounded it).
    pub async fn take(req: &mut Request) -> poem::Result<RequestFacts> {
        // The content types poem-openapi's `Json` payload reads.
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .is_some_and(|v| {
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        let json = if is_json {
            let bytes = req.take_body().into_vec().await.map_err(|err| {
                AppError::BadRequest(format!("Isi permintaan tidak terbaca: {err}"))
            })?;
            let bytes = without_nul_json(bytes);
            req.set_body(Body::from_vec(bytes.clone()));
            Some(bytes)
        } else {
            None
        };
        if let Some(query) = req.uri().query().filter(|q| q.contains("%00")) {
            let path_and_query = format!("{}?{}", req.uri().path(), query.replace("%00", ""));
            let mut parts = req.uri().clone().into_parts();
            parts.path_and_query = path_and_query.parse().ok();
            if let Ok(uri) = poem::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
        Ok(RequestFacts {
            method: req.method().clone(),
            query: req.uri().query().unwrap_or_default().to_owned(),
            json,
        })
    }
}

impl RequestFacts {
    /// Refuses, before any handler runs, a JSON body that its operation's
    /// schema does not allow, so that the server accepts exactly what the
    /// document says (poem-openapi alone would read `7` or `true` into a
    /// text field). A body sent without the sign-in an operation needs is
    /// left to the handler, whose 401 comes first.
    pub fn refuse_body(&self, path: &str, signed_in: bool) -> Option<AppError> {
        let bytes = self.json.as_deref()?;
        let op = find_operation(path, &self.method)?;
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured && !signed_in {
            return None;
        }
        let schema = json_schema(op)?;
        // Not JSON at all: the payload parser refuses it with a 400.
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let mut errors = Vec::new();
        check(&value, schema, "", &mut errors);
        (!errors.is_empty()).then(|| AppError::validation(errors))
    }
}

/// The operation of the document that serves `path` (a concrete path),
/// preferring literal segments over parameters as the router does.
fn find_operation(path: &str, method: &Method) -> Option<&'static Value> {
    let paths = crate::http::spec::document()
        .value
        .get("paths")?
        .as_object()?;
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut best: Option<(usize, &Value)> = None;
    for (template, item) in paths {
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let fits = parts.iter().zip(&segments).all(|(p, s)| {
            if p.starts_with('{') {
                true
            } else {
                literal += 1;
                p == s
            }
        });
        if fits && best.is_none_or(|(n, _)| literal > n) {
            best = Some((literal, item));
        }
    }
    best?.1.get(method.as_str().to_ascii_lowercase())
}

fn json_schema(op: &Value) -> Option<&Value> {
    op.pointer("/requestBody/content")?
        .as_object()?
        .iter()
        .find(|(k, _)| k.contains("json"))
        .map(|(_, media)| &media["schema"])
}

/// A JSON body with every NUL character left out of its texts: no field
/// of this API means anything by one, and PostgreSQL cannot store it.
fn without_nul_json(bytes: Vec<u8>) -> Vec<u8> {
    fn strip(value: &mut Value) {
        match value {
            Value::String(text) => text.retain(|c| c != '\0'),
            Value::Array(items) => items.iter_mut().for_each(strip),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (mut key, mut inner) in entries {
                    key.retain(|c| c != '\0');
                    strip(&mut inner);
                    map.insert(key, inner);
                }
            }
            _ => {}
        }
    }
    if !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return bytes;
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut value) => {
            strip(&mut value);
            serde_json::to_vec(&value).unwrap_or(bytes)
        }
        Err(_) => bytes,
    }
}

/// The `AppError` for a failure of the API; `pattern` is the matched route.
pub fn api_error(err: poem::Error, facts: &RequestFacts, pattern: Option<&str>) -> AppError {
    use poem::error::MethodNotAllowedError;
    use poem_openapi::error::{
        ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    };
    let operation = pattern.and_then(|p| operation(p, &facts.method));
    if err.is::<ParseRequestPayloadError>() {
        return body_error(facts.json.as_deref(), operation);
    }
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return param_error(e.name, &facts.query, operation);
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        let name = operation.map(|op| path_name(op, e.name)).unwrap_or(e.name);
        let expected = operation
            .and_then(|op| parameter(op, name))
            .map(describe)
            .unwrap_or_else(|| "tidak valid".into());
        return AppError::BadRequest(format!(
            "Alamat tidak valid: parameter `{name}` {expected}."
        ));
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return multipart_error(&e.reason);
    }
    if err.is::<ContentTypeError>() {
        let accepted = operation
            .and_then(|op| op.pointer("/requestBody/content"))
            .and_then(Value::as_object)
            .map(|c| {
                c.keys()
                    .map(|k| k.split(';').next().unwrap_or(k).to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        return AppError::Http {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: format!("Jenis isi (Content-Type) tidak didukung; kirim {accepted}."),
        };
    }
    if err.is::<MethodNotAllowedError>() {
        return AppError::Http {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: "Metode HTTP ini tidak tersedia untuk alamat ini; lihat header Allow.".into(),
        };
    }
    AppError::from_poem(err)
}

/// The operation of the published document for a route and method.
fn operation(pattern: &str, method: &Method) -> Option<&'static Value> {
    crate::http::spec::path_item(&crate::http::spec::document().value, pattern)?
        .get(method.as_str().to_ascii_lowercase())
}

/// The documented name of a path parameter poem-openapi calls `paramN`
/// (the N-th path parameter of the operation).
fn path_name<'a>(op: &'a Value, name: &'a str) -> &'a str {
    let path_params: Vec<&str> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "path")
        .filter_map(|p| p["name"].as_str())
        .collect();
    if path_params.contains(&name) {
        return name;
    }
    name.strip_prefix("param")
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| path_params.get(n).copied())
        .unwrap_or(name)
}

fn parameter<'a>(op: &'a Value, name: &str) -> Option<&'a Value> {
    op.get("parameters")?
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?
        .get("schema")
}

fn body_error(json: Option<&[u8]>, op: Option<&Value>) -> AppError {
    let bytes = json.unwrap_or_default();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return AppError::BadRequest("Isi permintaan kosong; kirim objek JSON.".into());
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(err) => {
            return AppError::BadRequest(format!(
                "Isi permintaan bukan JSON yang sah (baris {}, kolom {}).",
                err.line(),
                err.column()
            ));
        }
    };
    let schema = op.and_then(json_schema);
    let mut errors = Vec::new();
    if let Some(schema) = schema {
        check(&value, schema, "", &mut errors);
    }
    if errors.is_empty() {
        errors.push(FieldError::new(
            "body",
            "isi permintaan tidak sesuai dengan skema operasi ini",
        ));
    }
    AppError::validation(errors)
}

fn param_error(name: &str, query: &str, op: Option<&Value>) -> AppError {
    let present = form_urlencoded(query).any(|(k, _)| k == name);
    let message = if !present {
        "wajib diisi".to_owned()
    } else {
        op.and_then(|op| parameter(op, name))
            .map(describe)
            .unwrap_or_else(|| "nilai tidak valid".into())
    };
    AppError::validation(vec![FieldError::new(name, message)])
}

fn form_urlencoded(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn multipart_error(reason: &str) -> AppError {
    let field = reason
        .split('`')
        .nth(1)
        .filter(|_| reason.starts_with("field") || reason.starts_with("failed to parse field"));
    if let Some(unknown) = reason.strip_prefix("unknown field `") {
        let field = unknown.trim_end_matches('`');
        return AppError::validation(vec![FieldError::new(field, "isian tidak dikenal")]);
    }
    match field {
        Some(field) if reason.ends_with("is required") => {
            AppError::validation(vec![FieldError::new(field, "wajib diisi")])
        }
        Some(field) => AppError::validation(vec![FieldError::new(field, "nilai tidak valid")]),
        None => AppError::BadRequest("Isi multipart/form-data tidak terbaca.".into()),
    }
}

/// `$ref` resolved against the published document.
fn resolve(schema: &Value) -> &Value {
    let mut schema = schema;
    for _ in 0..16 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let pointer = reference.trim_start_matches('#');
        match crate::http::spec::document().value.pointer(pointer) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

fn at(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        "body".into()
    } else {
        path.to_owned()
    }
}

/// Checks `value` against `schema`, pushing one error per wrong field.
fn check(value: &Value, schema: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let schema = resolve(schema);
    if value.is_null() {
        if schema["nullable"] != true {
            errors.push(FieldError::new(field_name(path), "wajib diisi"));
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for inner in all {
            check(value, inner, path, errors);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let fits = options.iter().any(|option| {
                let mut found = Vec::new();
                check(value, option, path, &mut found);
                found.is_empty()
            });
            if !fits {
                errors.push(FieldError::new(
                    field_name(path),
                    "bentuknya tidak sesuai dengan pilihan mana pun",
                ));
            }
        }
    }
    let before = errors.len();
    if !has_type(value, schema) {
        errors.push(FieldError::new(field_name(path), describe(schema)));
        return;
    }
    if errors.len() > before {
        return;
    }
    match value {
        Value::Object(map) => {
            let required = schema["required"].as_array().cloned().unwrap_or_default();
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    errors.push(FieldError::new(at(path, name), "wajib diisi"));
                }
            }
            if let Some(props) = schema["properties"].as_object() {
                for (name, prop) in props {
                    if let Some(inner) = map.get(name) {
                        check(inner, prop, &at(path, name), errors);
                    }
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                for (name, inner) in map {
                    check(inner, extra, &at(path, name), errors);
                }
            }
        }
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = schema["minItems"].as_u64().filter(|m| len < *m) {
                errors.push(FieldError::new(
                    field_name(path),
                    format!("minimal {min} butir"),
                ));
            }
            if let Some(max) = schema["maxItems"].as_u64().filter(|m| len > *m) {
                errors.push(FieldError::new(
                    field_name(path),
                    format!("maksimal {max} butir"),
                ));
            }
            if let Some(item) = schema.get("items") {
                for (i, inner) in items.iter().enumerate() {
                    check(inner, item, &format!("{}[{i}]", field_name(path)), errors);
                }
            }
        }
        _ => {
            if let Some(problem) = scalar_problem(value, schema) {
                errors.push(FieldError::new(field_name(path), problem));
            }
        }
    }
}

fn has_type(value: &Value, schema: &Value) -> bool {
    match schema["type"].as_str() {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    }
}

fn scalar_problem(value: &Value, schema: &Value) -> Option<String> {
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        return Some(describe(schema));
    }
    if let Some(text) = value.as_str() {
        let chars = text.chars().count() as u64;
        if let Some(min) = schema["minLength"].as_u64().filter(|m| chars < *m) {
            return Some(if min == 1 {
                "wajib diisi".into()
            } else {
                format!("minimal {min} karakter")
            });
        }
        if let Some(max) = schema["maxLength"].as_u64().filter(|m| chars > *m) {
            return Some(format!("maksimal {max} karakter"));
        }
        if let Some(pattern) = schema["pattern"].as_str()
            && regex::Regex::new(pattern).is_ok_and(|re| !re.is_match(text))
        {
            return Some(match crate::http::fields::trimmed_len(text) {
                0 => "wajib diisi (tidak boleh hanya spasi)".into(),
                _ => match schema["minLength"].as_u64() {
                    Some(min) if min > 1 => {
                        format!("minimal {min} karakter (tanpa spasi di awal dan akhir)")
                    }
                    _ => format!("formatnya tidak sesuai (pola {pattern})"),
                },
            });
        }
        if !format_fits(text, schema["format"].as_str()) {
            return Some(describe(schema));
        }
    }
    if let Some(number) = value.as_f64() {
        if let Some(min) = schema["minimum"].as_f64() {
            let exclusive = schema["exclusiveMinimum"] == true;
            if number < min || (exclusive && number == min) {
                return Some(describe(schema));
            }
        }
        if let Some(max) = schema["maximum"].as_f64() {
            let exclusive = schema["exclusiveMaximum"] == true;
            if number > max || (exclusive && number == max) {
                return Some(describe(schema));
            }
        }
    }
    None
}

fn format_fits(text: &str, format: Option<&str>) -> bool {
    use time::format_description::well_known::Rfc3339;
    match format {
        Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
        Some("date-time") => time::OffsetDateTime::parse(text, &Rfc3339).is_ok(),
        Some("date") => time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_ok(),
        _ => true,
    }
}

fn number(value: &Value) -> String {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", n as i64),
        Some(n) => n.to_string(),
        None => value.to_string(),
    }
}

/// What a valid value of `schema` is, as the end of a sentence.
pub fn describe(schema: &Value) -> String {
    let schema = resolve(schema);
    if let Some(options) = schema["anyOf"].as_array().or(schema["oneOf"].as_array()) {
        let forms: Vec<String> = options
            .iter()
            .map(|o| describe(o).trim_start_matches("harus ").to_owned())
            .collect();
        return format!("harus {}", forms.join(" atau "));
    }
    if let Some(options) = schema["enum"].as_array() {
        let names: Vec<String> = options
            .iter()
            .map(|o| {
                o.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| o.to_string())
            })
            .collect();
        return format!("harus salah satu dari: {}", names.join(", "));
    }
    let range = |kind: &str| match (schema.get("minimum"), schema.get("maximum")) {
        (Some(min), Some(max)) => format!("harus {kind} {} sampai {}", number(min), number(max)),
        (Some(min), None) => format!("harus {kind} paling kecil {}", number(min)),
        (None, Some(max)) => format!("harus {kind} paling besar {}", number(max)),
        (None, None) => format!("harus {kind}"),
    };
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("string"), Some("uuid")) => "harus berupa UUID".into(),
        (Some("string"), Some("date-time")) => {
            "harus berupa waktu RFC 3339, mis. 2026-03-03T08:00:00+07:00".into()
        }
        (Some("string"), Some("date")) => "harus berupa tanggal YYYY-MM-DD".into(),
        (Some("string"), _) => "harus berupa teks".into(),
        (Some("integer"), _) => range("bilangan bulat"),
        (Some("number"), _) => range("angka"),
        (Some("boolean"), _) => "harus true atau false".into(),
        (Some("array"), _) => "harus berupa daftar (array)".into(),
        (Some("object"), _) => "harus berupa objek".into(),
        _ => "nilainya tidak valid".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(value: Value, schema: Value) -> Vec<(String, String)> {
        let mut found = Vec::new();
        check(&value, &schema, "", &mut found);
        found.into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let schema = json!({
            "type": "object",
            "required": ["reason", "items"],
            "properties": {
                "reason": { "type": "string", "minLength": 1 },
                "items": { "type": "array", "items": { "type": "object", "required": ["day"],
                    "properties": { "day": { "type": "string", "format": "date" } } } },
                "note": { "type": "string", "nullable": true },
            }
        });
        let found = errors(
            json!({ "items": [{ "day": "2026-02-30" }], "note": null }),
            schema,
        );
        assert_eq!(
            found,
            vec![
                ("reason".to_owned(), "wajib diisi".to_owned()),
                (
                    "items[0].day".to_owned(),
                    "harus berupa tanggal YYYY-MM-DD".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn ranges_and_choices_are_described() {
        let schema = json!({ "type": "integer", "minimum": 1, "maximum": 500 });
        assert_eq!(
            errors(json!(0), schema),
            vec![(
                "body".to_owned(),
                "harus bilangan bulat 1 sampai 500".to_owned()
            )]
        );
        let schema = json!({ "type": "string", "enum": ["json", "csv"] });
        assert_eq!(describe(&schema), "harus salah satu dari: json, csv");
    }

    #[test]
    fn nul_characters_leave_json_texts() {
        let body = br#"{"a\u0000": ["x\u0000y", 1], "b": {"c": "\u0000"}}"#.to_vec();
        let clean: Value = serde_json::from_slice(&without_nul_json(body)).unwrap();
        assert_eq!(clean, json!({ "a": ["xy", 1], "b": { "c": "" } }));
        let plain = br#"{"a": "b"}"#.to_vec();
        assert_eq!(without_nul_json(plain.clone()), plain);
    }

    #[test]
    fn query_values_are_decoded() {
        let pairs: Vec<_> = form_urlencoded("reason=&a%20b=c+d&x").collect();
        assert_eq!(
            pairs,
            vec![
                ("reason".to_owned(), String::new()),
                ("a b".to_owned(), "c d".to_owned()),
                ("x".to_owned(), String::new()),
            ]
        );
    }
}

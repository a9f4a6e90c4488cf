//! The published OpenAPI document: poem-openapi's, finished in one pass so
//! that it says exactly what the server does, plus what the error mapping
//! reads from it (the methods of each path, the schema of each request).
//!
//! The pass fixes, for every schema and operation at once, what
//! poem-openapi leaves out:
//! - a property that is not required is `nullable`: poem-openapi reads
//!   `null` as absent (or as "clear" for `MaybeUndefined`) and writes `None`
//!   as `null`, but marks nothing nullable;
//! - a `time::Date` is `format: date` (poem-openapi says `naive-date`, which
//!   no client knows);
//! - an integer carries the bounds of its Rust type, which the parser
//!   enforces;
//! - an operation with a request body documents 413 (body over the limit)
//!   and 415 (a content type it does not read);
//! - a multipart form takes no fields but its own (each is declared
//!   `deny_unknown_fields`), and none of them is `null`.

use std::sync::LazyLock;

use poem::endpoint::make_sync;
use poem::http::Method;
use poem::web::Html;
use poem::{Endpoint, IntoResponse};
use poem_openapi::OpenApiService;

use crate::http::openapi::Apis;
use serde_json::{Map, Value, json};

/// The finished document and what is read from it at run time.
pub struct Document {
    /// The document as served at `/api/openapi.json`.
    pub json: String,
    pub value: Value,
}

static DOCUMENT: LazyLock<Document> = LazyLock::new(|| {
    let raw = crate::http::openapi::service().spec();
    let mut value: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    finish(&mut value);
    Document {
        json: serde_json::to_string_pretty(&value).unwrap_or(raw),
        value,
    }
});

pub fn document() -> &'static Document {
    &DOCUMENT
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Applies every fix listed in the module documentation.
pub fn finish(doc: &mut Value) {
    let forms = multipart_forms(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            // A form field has no `null`: absent is the only "none"; and a
            // form (`deny_unknown_fields`) takes no other fields.
            let form = forms.contains(name);
            finish_schema(schema, !form);
            if form && let Some(obj) = schema.as_object_mut() {
                obj.insert("additionalProperties".into(), json!(false));
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            finish_operation(op);
        }
    }
}

/// The names of the schemas sent as `multipart/form-data`.
fn multipart_forms(doc: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|i| i.values()) {
            let Some(content) = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (media, body) in content {
                if let (true, Some(reference)) = (
                    media.starts_with("multipart/"),
                    body.pointer("/schema/$ref").and_then(Value::as_str),
                ) {
                    names.push(reference.rsplit('/').next().unwrap_or_default().to_owned());
                }
            }
        }
    }
    names
}

fn finish_operation(op: &mut Value) {
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for param in params {
            if let Some(schema) = param.get_mut("schema") {
                finish_schema(schema, true);
            }
        }
    }
    let mut has_body = false;
    if let Some(content) = op
        .pointer_mut("/requestBody/content")
        .and_then(Value::as_object_mut)
    {
        has_body = true;
        for (media, body) in content.iter_mut() {
            let form = media.starts_with("multipart/");
            if let Some(schema) = body.get_mut("schema") {
                finish_schema(schema, !form);
                if let (true, Some(inline)) = (form, schema.as_object_mut())
                    && inline.contains_key("properties")
                {
                    inline.insert("additionalProperties".into(), json!(false));
                }
            }
        }
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for response in responses.values_mut() {
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    finish_schema(schema, true);
                }
            }
        }
    }
    if has_body {
        let error = error_content(responses);
        for (status, description) in [
            (
                "413",
                "The request body is larger than this operation accepts",
            ),
            (
                "415",
                "The request body is not of a content type this operation reads",
            ),
        ] {
            responses
                .entry(status)
                .or_insert_with(|| json!({ "description": description, "content": error }));
        }
    }
}

/// The content of the documented error responses (every operation has a 400).
fn error_content(responses: &Map<String, Value>) -> Value {
    responses
        .get("400")
        .and_then(|r| r.get("content"))
        .cloned()
        .unwrap_or_else(|| json!({}))
}

/// `nullable_optional`: whether a property that is not required takes `null`.
fn finish_schema(schema: &mut Value, nullable_optional: bool) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.get("format").and_then(Value::as_str) == Some("naive-date") {
        obj.insert("format".into(), json!("date"));
    }
    if obj.get("type").and_then(Value::as_str) == Some("integer") {
        let bounds = obj
            .get("format")
            .and_then(Value::as_str)
            .and_then(integer_bounds);
        if let Some((min, max)) = bounds {
            obj.entry("minimum").or_insert(json!(min));
            obj.entry("maximum").or_insert(json!(max));
        }
    }
    let required: Vec<String> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            finish_schema(prop, true);
            if nullable_optional && !required.contains(name) {
                make_nullable(prop);
            }
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = obj.get_mut(key) {
            finish_schema(inner, true);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for inner in list {
                finish_schema(inner, nullable_optional);
            }
        }
    }
}

/// `null` allowed as well. A bare `$ref` admits no siblings in OpenAPI 3.0,
/// so it is wrapped in an `allOf` (as poem-openapi itself does to describe one).
fn make_nullable(prop: &mut Value) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    if obj.contains_key("$ref") && obj.len() == 1 {
        let reference = obj.remove("$ref").unwrap_or(Value::Null);
        obj.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
    obj.insert("nullable".into(), json!(true));
}

/// The range poem-openapi's parser accepts for each integer format (it reads
/// every JSON integer as an `i64` first).
fn integer_bounds(format: &str) -> Option<(i64, i64)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN, i64::MAX),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" => (0, i64::MAX),
        _ => return None,
    })
}

/// The path item of the document for the route `pattern` (poem's spelling,
/// `/api/v1/users/:param0`: poem-openapi names the parameters itself, so
/// any parameter matches any parameter).
pub fn path_item<'a>(doc: &'a Value, pattern: &str) -> Option<&'a Value> {
    let wanted: Vec<&str> = pattern.split('/').collect();
    doc.get("paths")?
        .as_object()?
        .iter()
        .find(|(template, _)| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == wanted.len()
                && parts
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| (t.starts_with('{') && w.starts_with(':')) || t == w)
        })
        .map(|(_, item)| item)
}

/// The methods the document lists for the route `pattern`, for the `Allow`
/// header of a 405.
pub fn allowed_methods(doc: &Value, pattern: &str) -> Option<Vec<Method>> {
    let item = path_item(doc, pattern)?.as_object()?;
    let mut methods: Vec<Method> = METHODS
        .iter()
        .filter(|m| item.contains_key(**m))
        .filter_map(|m| m.to_uppercase().parse().ok())
        .collect();
    if methods.contains(&Method::GET) {
        methods.push(Method::HEAD);
    }
    Some(methods)
}

/// `/api/openapi.json`: the finished document (see `spec`).
pub fn spec_endpoint() -> impl Endpoint + use<> {
    make_sync(|_| {
        document()
            .json
            .clone()
            .with_content_type("application/json; charset=utf-8")
    })
}

/// The Swagger UI page, showing the finished document.
pub fn docs_html(api: &OpenApiService<Apis, ()>) -> String {
    // poem-openapi's page embeds its own document; swap in the finished one.
    api.swagger_ui_html()
        .replacen(&api.spec(), &document().json, 1)
}

/// `/api/docs`: the Swagger UI page `html`.
pub fn docs_endpoint(html: String) -> impl Endpoint + use<> {
    make_sync(move |_| Html(html.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_properties_become_nullable_and_refs_are_wrapped() {
        let mut doc = json!({
            "components": { "schemas": { "View": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" },
                    "email": { "type": "string" },
                    "status": { "$ref": "#/components/schemas/Status" },
                    "day": { "type": "string", "format": "naive-date" },
                    "count": { "type": "integer", "format": "uint32" },
                }
            }}},
            "paths": {}
        });
        finish(&mut doc);
        let props = &doc["components"]["schemas"]["View"]["properties"];
        assert!(props["id"].get("nullable").is_none());
        assert_eq!(props["email"]["nullable"], true);
        assert_eq!(
            props["status"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/Status" }], "nullable": true })
        );
        assert_eq!(props["day"]["format"], "date");
        assert_eq!(props["count"]["minimum"], 0);
        assert_eq!(props["count"]["maximum"], u32::MAX);
    }

    #[test]
    fn operations_with_a_body_document_413_and_415() {
        let error = json!({ "description": "x", "content": { "application/json": {} } });
        let mut doc = json!({ "paths": {
            "/a": {
                "post": { "requestBody": { "content": {} }, "responses": { "400": error } },
                "get": { "responses": { "400": error } },
            }
        }});
        finish(&mut doc);
        let post = &doc["paths"]["/a"]["post"]["responses"];
        assert!(post.get("413").is_some() && post.get("415").is_some());
        assert!(doc["paths"]["/a"]["get"]["responses"].get("415").is_none());
    }

    #[test]
    fn allowed_methods_come_from_the_document() {
        let doc = json!({ "paths": { "/api/v1/users/{id}": { "get": {}, "patch": {} } } });
        let methods = allowed_methods(&doc, "/api/v1/users/:param0").unwrap();
        assert_eq!(methods, vec![Method::GET, Method::PATCH, Method::HEAD]);
        assert!(allowed_methods(&doc, "/nope").is_none());
    }
}

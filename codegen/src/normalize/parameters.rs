//! Header and cookie parameters.
//!
//! * Cookie parameters, which progenitor rejects: each becomes a header parameter carrying
//!   [`COOKIE_MARKER`], so that progenitor gives it a typed builder setter like any header,
//!   and the `runtime_calls` pass sends the marked ones together in one `Cookie` header
//!   (`name=value; name=value`) instead of as headers of their own.
//! * An optional header or cookie that FastAPI spells `str | None` is nullable as well as
//!   optional, which progenitor turns into `Option<Option<String>>`. HTTP has no null
//!   header, so absent is the only null: the `nullable` is dropped.

use serde_json::Value;

use crate::document::METHODS;

/// The extension a cookie parameter carries once it is spelled as a header parameter.
pub const COOKIE_MARKER: &str = "x-stackai-cookie";

/// Whether a (normalized) parameter is a cookie.
pub fn is_cookie(param: &Value) -> bool {
    param.get(COOKIE_MARKER) == Some(&Value::Bool(true))
}

/// Rewrites every `in: cookie` parameter of the document (operations, path items and
/// `components/parameters`) into a marked header parameter, and makes optional headers
/// and cookies non-nullable.
pub(crate) fn header_parameters(doc: &mut Value) {
    if let Some(shared) = doc
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        shared.values_mut().for_each(mark_cookie);
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        if let Some(list) = item.get_mut("parameters") {
            mark_all(list);
        }
        for method in METHODS {
            if let Some(list) = item.get_mut(method).and_then(|op| op.get_mut("parameters")) {
                mark_all(list);
            }
        }
    }
}

fn mark_all(list: &mut Value) {
    if let Some(params) = list.as_array_mut() {
        params.iter_mut().for_each(mark_cookie);
    }
}

fn mark_cookie(param: &mut Value) {
    let Some(param) = param.as_object_mut() else {
        return;
    };
    let location = param.get("in").and_then(Value::as_str);
    if !matches!(location, Some("cookie" | "header")) {
        return;
    }
    if location == Some("cookie") {
        param.insert("in".into(), Value::String("header".into()));
        param.insert(COOKIE_MARKER.into(), Value::Bool(true));
    }
    if param.get("required") != Some(&Value::Bool(true))
        && let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut)
    {
        schema.remove("nullable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cookies_become_marked_headers_and_optional_ones_lose_nullable() {
        let mut doc = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "session", "in": "cookie", "required": true, "schema": {"type": "string"}},
            {"name": "Range", "in": "header", "schema": {"type": "string", "nullable": true}},
            {"name": "q", "in": "query", "schema": {"type": "string", "nullable": true}}
        ]}}}});
        header_parameters(&mut doc);
        let params = &doc["paths"]["/x"]["get"]["parameters"];
        assert_eq!(params[0]["in"], "header");
        assert!(is_cookie(&params[0]));
        assert!(!is_cookie(&params[1]));
        assert_eq!(params[1]["schema"], json!({"type": "string"}));
        assert_eq!(
            params[2]["schema"]["nullable"], true,
            "queries are left alone"
        );
    }
}

//! Per-request escape hatches: extra headers, query parameters and top-level body fields
//! that the document does not describe, carried by [`crate::RequestOptions`] and applied to
//! the built request once, before the first attempt, so that every retry and every page of
//! a stream sends them too.

use serde_json::{Map, Value};

use crate::transport::RequestOptions;

/// Adds `options`' extras to `request`.
///
/// * Headers replace a header of the same name the generated code set (including
///   `Content-Type`, but not the credentials, which the runtime sets on each attempt).
/// * Query parameters are appended after the document's parameters.
/// * Body fields are merged into the top level of a JSON object body (replacing a field
///   of the same name) or appended to a form body; an operation without a body, or with a
///   body that is not an object, is an error.
///
/// The error is the message of an [`crate::ErrorKind::InvalidRequest`] error.
pub(crate) fn apply(
    mut request: reqwest::Request,
    options: &RequestOptions,
) -> Result<reqwest::Request, String> {
    for (name, value) in &options.extra_headers {
        let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("the extra header name {name:?} is not valid"))?;
        let value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("the value of the extra header {name:?} is not valid"))?;
        request.headers_mut().insert(header, value);
    }
    if !options.extra_query.is_empty() {
        let mut pairs = request.url_mut().query_pairs_mut();
        for (name, value) in &options.extra_query {
            pairs.append_pair(name, value);
        }
    }
    if !options.extra_body.is_empty() {
        let body = merge_body(&request, &options.extra_body)?;
        *request.body_mut() = Some(body.into());
    }
    Ok(request)
}

fn merge_body(request: &reqwest::Request, extra: &Map<String, Value>) -> Result<Vec<u8>, String> {
    let content_type = request
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) else {
        return Err(format!(
            "extra body fields ({}) were given, but the request has no body to add them to",
            names(extra)
        ));
    };
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut out = bytes.to_vec();
        let mut pairs = form_urlencoded_append(extra);
        if !out.is_empty() && !pairs.is_empty() {
            out.push(b'&');
        }
        out.append(&mut pairs);
        return Ok(out);
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(mut map)) => {
            for (key, value) in extra {
                map.insert(key.clone(), value.clone());
            }
            serde_json::to_vec(&Value::Object(map)).map_err(|e| e.to_string())
        }
        _ => Err(format!(
            "extra body fields ({}) were given, but the request body is not a JSON object",
            names(extra)
        )),
    }
}

/// `a=1&b=x`: strings as they are, other JSON values as JSON text.
fn form_urlencoded_append(extra: &Map<String, Value>) -> Vec<u8> {
    let mut serializer = reqwest::Url::parse("http://x/").expect("static URL");
    {
        let mut pairs = serializer.query_pairs_mut();
        for (key, value) in extra {
            match value {
                Value::String(s) => pairs.append_pair(key, s),
                other => pairs.append_pair(key, &other.to_string()),
            };
        }
    }
    serializer.query().unwrap_or("").as_bytes().to_vec()
}

fn names(extra: &Map<String, Value>) -> String {
    extra
        .keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(content_type: &str, body: &str) -> reqwest::Request {
        let url = reqwest::Url::parse("http://127.0.0.1/x").unwrap();
        let mut request = reqwest::Request::new(reqwest::Method::POST, url);
        request.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_str(content_type).unwrap(),
        );
        *request.body_mut() = Some(body.to_string().into());
        request
    }

    fn body(request: &reqwest::Request) -> String {
        String::from_utf8(request.body().unwrap().as_bytes().unwrap().to_vec()).unwrap()
    }

    #[test]
    fn body_fields_merge_into_json_objects_and_append_to_forms() {
        let options = RequestOptions::new()
            .extra_body("b", json!({"c": 1}))
            .extra_body("s", "a b");
        let merged = apply(
            request("application/json", r#"{"a":1,"s":"old"}"#),
            &options,
        )
        .unwrap();
        let merged: Value = serde_json::from_str(&body(&merged)).unwrap();
        assert_eq!(merged, json!({"a": 1, "b": {"c": 1}, "s": "a b"}));

        let form = apply(
            request("application/x-www-form-urlencoded", "grant_type=password"),
            &options,
        )
        .unwrap();
        assert_eq!(body(&form), "grant_type=password&b=%7B%22c%22%3A1%7D&s=a+b");

        let not_object = apply(request("application/json", "[1]"), &options).unwrap_err();
        assert!(not_object.contains("not a JSON object"), "{not_object}");
    }
}

//! Keeping secrets out of `Debug` output, error messages and logs.

use serde_json::Value;

/// What a secret is replaced by.
pub const REDACTED: &str = "<redacted>";

/// Whether a JSON key holds a secret (compared without regard to case). The list comes
/// from the generator (`SECRET_FIELDS`), which also redacts those fields in `Debug`.
fn is_secret_key(key: &str) -> bool {
    crate::SECRET_FIELDS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(key))
}

/// Whether a header, query parameter or field name names a secret: a key of
/// `SECRET_FIELDS`, or a name that mentions auth, tokens, keys, secrets, passwords or
/// cookies (`Authorization`, `X-Api-Key`, `session_token`).
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_secret_key(name)
        || [
            "auth", "token", "key", "secret", "password", "cookie", "session",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
}

/// Replaces the value of every secret key, at any depth.
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if is_secret_key(key) {
                    *child = Value::String(REDACTED.into());
                } else {
                    redact_json(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// The start of a response body, safe to log: JSON has its secrets redacted (FastAPI's 422
/// echoes the request body in `input`); anything else is cut to `limit` bytes as text, with
/// the values of secret keys redacted wherever it reads like JSON, since a body that does
/// not parse is most often JSON cut short by a broken connection.
pub(crate) fn body_excerpt(body: &[u8], limit: usize) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) => redact_json_like(&String::from_utf8_lossy(body)),
    };
    truncate(text, limit)
}

/// `text` with the value after every `"<secret key>":` replaced, read leniently: the value
/// ends where its string, object or array closes, at the next `,`, `}` or `]` for a scalar,
/// or at the end of the text when it was cut short.
fn redact_json_like(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let end = string_end(bytes, i);
        // An unterminated string (the text was cut inside it) is no key.
        let key = text
            .get(i + 1..end.saturating_sub(1).max(i + 1))
            .unwrap_or_default();
        let mut after = end;
        while after < bytes.len() && bytes[after].is_ascii_whitespace() {
            after += 1;
        }
        if after < bytes.len() && bytes[after] == b':' && is_secret_key(key) {
            let mut start = after + 1;
            while start < bytes.len() && bytes[start].is_ascii_whitespace() {
                start += 1;
            }
            out.push_str(&text[copied..start]);
            out.push('"');
            out.push_str(REDACTED);
            out.push('"');
            copied = value_end(bytes, start);
            i = copied;
        } else {
            i = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The index just past the JSON string starting at `start` (a `"`), or the text's end.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index just past the JSON value starting at `start`, or the text's end.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i);
                if depth == 0 {
                    return i;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return i,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn truncate(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// `Debug` of a value that must not be shown.
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_json_cut_short_are_redacted_too() {
        let secret = crate::SECRET_FIELDS[0];
        for (body, kept) in [
            (
                format!(r#"{{"name":"n","{secret}":"tok-SECRET-and-more"#),
                r#""name":"n""#,
            ),
            (
                format!(r#"{{"{secret}" : {{"k":"SECRET"}}, "next": 1, "x"#),
                r#""next": 1"#,
            ),
            (
                format!(r#"[{{"{secret}":12345SECRET}}, {{"a\"b":"c""#),
                r#""a\"b":"c""#,
            ),
            (format!(r#"{{"{secret}":["SECRET", "SECRET""#), "{"),
            (format!(r#"{{"{secret}""#), secret),
            (format!(r#"{{"é":"\é", "{secret}": "SECRET€"#), "é"),
            (format!(r#"{{"{secret}€"#), "€"),
        ] {
            let excerpt = body_excerpt(body.as_bytes(), 1000);
            assert!(!excerpt.contains("SECRET"), "{body} -> {excerpt}");
            assert!(excerpt.contains(kept), "{body} -> {excerpt}");
        }
        assert_eq!(body_excerpt(b"plain text", 1000), "plain text");
    }

    #[test]
    fn secrets_are_redacted_at_any_depth_and_long_bodies_cut() {
        let body = br#"{"detail":[{"input":{"name":"n","connection_provider_data":{"key":"k1"}},"Password":"p"}]}"#;
        let excerpt = body_excerpt(body, 1000);
        assert!(
            !excerpt.contains("k1") && !excerpt.contains("\"p\""),
            "{excerpt}"
        );
        assert!(excerpt.contains("\"name\":\"n\""));
        let long = body_excerpt("é".repeat(100).as_bytes(), 11);
        assert!(long.ends_with('…') && long.len() <= 11 + '…'.len_utf8());
    }
}

//! The operations' request bodies and responses, made to fit progenitor's model: one
//! request media type, no response `encoding`, one success type and one error type per
//! operation (success statuses with different bodies become an enum keyed by status, see
//! [`super::statuses`]; errors, see [`Normalizer::unify_errors`]).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Normalizer, is_json_media, resolve, statuses};
use crate::document::METHODS;
use crate::error::{Error, push_pointer};

impl Normalizer<'_> {
    /// Checks the things progenitor asserts instead of reporting, and makes each operation's
    /// responses fit its one-success-type, one-error-type model.
    pub(super) fn check_paths(&mut self, doc: &mut Value) -> Result<(), Error> {
        let components = doc.get("components").cloned().unwrap_or(Value::Null);
        let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        for (path, item) in paths.iter_mut() {
            let ptr = push_pointer("/paths", path);
            let item = item.as_object_mut().expect("checked in schemas_everywhere");
            for method in METHODS {
                let Some(op) = item.get_mut(method) else {
                    continue;
                };
                let op_ptr = push_pointer(&ptr, method);
                self.one_body_media_type(&op_ptr, op, &components)?;
                self.check_media_types(&op_ptr, op)?;
                self.unify_responses(&op_ptr, op, &components)?;
            }
        }
        Ok(())
    }

    /// Progenitor takes one media type per request body. Where JSON is among several, the
    /// client sends JSON (with a warning); several others are an error.
    pub(super) fn one_body_media_type(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        let body_ptr = push_pointer(op_ptr, "requestBody");
        let Some(body) = op.get_mut("requestBody") else {
            return Ok(());
        };
        let media: Vec<String> = resolve(body, components, "requestBodies")
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        if media.len() <= 1 {
            return Ok(());
        }
        let Some(json) = media.iter().find(|m| is_json_media(m)).cloned() else {
            return Err(self.error(
                &push_pointer(&body_ptr, "content"),
                format!("the request body offers {}; the client can send only one kind of body, and none is JSON", media.join(", ")),
            ));
        };
        if body.get("$ref").is_some() {
            *body = resolve(body, components, "requestBodies")
                .cloned()
                .unwrap_or_default();
        }
        if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) {
            content.retain(|m, _| *m == json);
        }
        let others: Vec<&str> = media
            .iter()
            .filter(|m| **m != json)
            .map(String::as_str)
            .collect();
        self.warn(
            &push_pointer(&body_ptr, "content"),
            format!(
                "the body can also be sent as {}; the client sends {json} only",
                others.join(", ")
            ),
        );
        Ok(())
    }

    pub(super) fn check_media_types(&self, op_ptr: &str, op: &Value) -> Result<(), Error> {
        let responses = op.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            let content = response.get("content").and_then(Value::as_object);
            for (media, m) in content.into_iter().flatten() {
                if m.get("encoding")
                    .and_then(Value::as_object)
                    .is_some_and(|e| !e.is_empty())
                {
                    let ptr = push_pointer(
                        &push_pointer(
                            &push_pointer(&push_pointer(op_ptr, "responses"), status),
                            "content",
                        ),
                        media,
                    );
                    return Err(self.error(
                        &push_pointer(&ptr, "encoding"),
                        "`encoding` on a response media type is not supported",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Progenitor gives an operation one success type and one error type, and asserts that
    /// the document agrees. Success statuses (2xx codes) whose bodies are JSON of different
    /// types, or JSON and empty, become an enum keyed by status ([`statuses`]). Where JSON
    /// successes otherwise disagree (with `default` or a range), the group is widened to
    /// untyped JSON (`serde_json::Value`), with a warning; other disagreements are errors.
    /// Errors: see [`Self::unify_errors`].
    pub(super) fn unify_responses(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        if !op.get("responses").is_some_and(Value::is_object) {
            return Err(self.error(op_ptr, "an operation needs `responses`"));
        }
        self.unify_successes(op_ptr, op, components)?;
        self.unify_errors(op_ptr, op, components)
    }

    /// The success statuses: keyed by status, or widened to untyped JSON with a warning
    /// where they cannot be (`default` or a range among them).
    pub(super) fn unify_successes(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        let responses = op["responses"].as_object().expect("checked by the caller");
        let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (status, response) in responses.iter() {
            if !is_success_status(status) {
                continue;
            }
            let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), status);
            let response = resolve(response, components, "responses")
                .ok_or_else(|| self.error(&r_ptr, "unresolvable response reference"))?;
            kinds
                .entry(response_kind(response))
                .or_default()
                .push(status.clone());
        }
        if kinds.len() <= 1
            || statuses::key_by_status(
                self.file,
                op_ptr,
                op,
                &kinds,
                components,
                &mut self.status_bodies,
            )?
        {
            return Ok(());
        }
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            unreachable!("checked above")
        };
        let all_json = kinds.keys().all(|k| k.starts_with("json:"));
        let mut statuses: Vec<String> = kinds.values().flatten().cloned().collect();
        statuses.sort();
        if !all_json {
            return Err(self.error(
                &push_pointer(op_ptr, "responses"),
                format!(
                    "the success responses {} mix JSON, other and empty bodies; \
                     one operation can only have one success type",
                    statuses.join(", ")
                ),
            ));
        }
        for status in &statuses {
            let response = responses.get_mut(status).expect("collected above");
            if response.get("$ref").is_some() {
                let resolved = resolve(response, components, "responses").cloned();
                *response = resolved.expect("resolved above");
            }
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                for (media, m) in content.iter_mut() {
                    if is_json_media(media) {
                        m["schema"] = json!({});
                    }
                }
            }
        }
        self.warn(
            &push_pointer(op_ptr, "responses"),
            format!(
                "the success responses {} have different JSON types; they are all decoded as \
                 untyped JSON (`serde_json::Value`). Document exact 2xx statuses instead of \
                 `default` or a range to have them keyed by status, one type each",
                statuses.join(", ")
            ),
        );
        Ok(())
    }

    /// The error statuses. The runtime's `Error` is one type for every operation, so the
    /// error type progenitor derives is never used; the bodies the document gives are typed
    /// by the operation's error enum instead ([`statuses::key_errors_by_status`], read by
    /// `Error::body_as`). Where error responses disagree (`404 HTTPExceptionResponse`, `422
    /// HTTPValidationError`), or an enum types them, progenitor is shown one body for all
    /// of them: `default`'s when there is one (which is among the successes too), else
    /// untyped JSON. Nothing is
    /// lost, so nothing is warned about, except a model on a range (`4XX`), which no variant
    /// carries.
    pub(super) fn unify_errors(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        let keyed = statuses::key_errors_by_status(
            self.file,
            op_ptr,
            op,
            components,
            &mut self.status_bodies,
        )?;
        let responses = op["responses"].as_object().expect("checked by the caller");
        let mut kinds = BTreeMap::new();
        let mut ranges = Vec::new();
        for (status, response) in responses {
            if !is_error_status(status) {
                continue;
            }
            let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), status);
            let response = resolve(response, components, "responses")
                .ok_or_else(|| self.error(&r_ptr, "unresolvable response reference"))?;
            let kind = response_kind(response);
            if status.ends_with("XX") && kind.starts_with("json:") && kind != "json:{}" {
                ranges.push(status.clone());
            }
            kinds.insert(kind, status.clone());
        }
        if !ranges.is_empty() {
            let carried = if keyed {
                "its body is in `Error::body_excerpt`, and `body_as` gives it as the error \
                 enum's `Other` (untyped JSON)"
            } else {
                "its body is in `Error::body_excerpt` only"
            };
            self.warn(
                &push_pointer(op_ptr, "responses"),
                format!(
                    "the error responses {} give a model to a range of statuses, and only \
                     exact statuses are typed: {carried}. Document the statuses the service \
                     answers (`responses={{404: {{\"model\": ...}}}}`) to have them typed",
                    ranges.join(", ")
                ),
            );
        }
        // With the enum, the error bodies are shown as one even where they agree, so that
        // `cargo xtask diff` compares them once, as the enum's variants.
        if kinds.len() <= 1 && !keyed {
            return Ok(());
        }
        let uniform = match responses.get("default") {
            Some(default) => resolve(default, components, "responses")
                .and_then(|d| d.get("content"))
                .cloned()
                .unwrap_or_else(|| json!({})),
            None => json!({ "application/json": { "schema": {} } }),
        };
        let responses = op["responses"].as_object_mut().expect("checked above");
        for (status, response) in responses.iter_mut() {
            if status == "default" || !is_error_status(status) {
                continue;
            }
            if response.get("$ref").is_some() {
                *response = resolve(response, components, "responses")
                    .cloned()
                    .expect("resolved above");
            }
            if let Some(obj) = response.as_object_mut() {
                obj.insert("content".into(), uniform.clone());
            }
        }
        Ok(())
    }
}

/// Success and error groups as progenitor forms them; `default` belongs to both.
pub(super) fn is_success_status(status: &str) -> bool {
    status == "default" || status.starts_with('2') || status == "101"
}

pub(super) fn is_error_status(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

/// What progenitor would make of a response body: a JSON type (keyed by its schema), a raw
/// stream, or nothing.
pub(super) fn response_kind(response: &Value) -> String {
    let content = response.get("content").and_then(Value::as_object);
    match content {
        Some(content) if !content.is_empty() => {
            match content.iter().find(|(media, _)| is_json_media(media)) {
                Some((_, m)) => format!("json:{}", m.get("schema").unwrap_or(&Value::Null)),
                None => "raw".into(),
            }
        }
        _ => "none".into(),
    }
}

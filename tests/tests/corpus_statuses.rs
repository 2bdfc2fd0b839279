//! Loopback HTTP tests for operations whose success statuses answer different bodies
//! (`openapi/corpus/statuses.py`, issue 9 item 5): `send()` returns an enum keyed by status,
//! each variant decoded from its own schema; an undocumented 2xx is `Other`; error statuses,
//! retries and timeouts are those of every operation; a body that does not match its
//! status's schema is a `Decode` error naming the operation and the status; an operation
//! whose successes share one type keeps it; the typed mocks answer with the enum.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use stackai_corpus::types::{self, CancelJobResponse, CreateJobResponse, UpsertRecordResponse};
use stackai_corpus::{Client, ErrorKind, RetryPolicy};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .expect("a loopback client builds")
}

/// A server answering `verb route` with `template`, once.
async fn serve(verb: &str, route: &str, template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn record() -> types::Record {
    serde_json::from_value(json!({"id": 7, "name": "seven"})).expect("a record")
}

#[tokio::test]
async fn each_documented_status_decodes_into_its_own_variant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/corpus/jobs"))
        .and(query_param("name", "small"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "j1", "result": "done"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/corpus/jobs"))
        .and(query_param("name", "big"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"id": "j2", "position": 3})))
        .mount(&server)
        .await;
    let client = client(&server);

    let done = client.create_job().name("small").send().await.expect("200");
    assert_eq!(done.status(), 200);
    let done = done.into_inner();
    assert_eq!(done.status(), 200);
    match done {
        CreateJobResponse::Ok(job) => {
            assert_eq!((job.id.as_str(), job.result.as_str()), ("j1", "done"))
        }
        other => panic!("200 is `Ok`, got {other:?}"),
    }

    let queued = client
        .create_job()
        .name("big")
        .send()
        .await
        .expect("202")
        .into_inner();
    assert_eq!(queued.status(), 202);
    match queued {
        CreateJobResponse::Accepted(accepted) => {
            assert_eq!((accepted.id.as_str(), accepted.position), ("j2", 3));
        }
        other => panic!("202 is `Accepted`, got {other:?}"),
    }
    let requests = server.received_requests().await.expect("recording is on");
    assert!(
        requests
            .iter()
            .all(|r| r.headers["accept"] == "application/json")
    );
}

#[tokio::test]
async fn an_inline_201_schema_is_typed_and_200_keeps_the_model() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/corpus/records/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "name": "one"})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/corpus/records/2"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 2, "created": true})))
        .mount(&server)
        .await;
    let client = client(&server);
    let replaced = client
        .upsert_record()
        .record_id(1)
        .body(record())
        .send()
        .await
        .expect("200")
        .into_inner();
    let UpsertRecordResponse::Ok(replaced) = replaced else {
        panic!("200 is `Ok`: {replaced:?}");
    };
    assert_eq!(replaced.name, "one");
    let created = client
        .upsert_record()
        .record_id(2)
        .body(record())
        .send()
        .await
        .expect("201")
        .into_inner();
    let UpsertRecordResponse::Created(types::UpsertRecordCreatedBody { id, created, .. }) = created
    else {
        panic!("201 is `Created`: {created:?}");
    };
    assert_eq!((id, created), (2, true));
}

#[tokio::test]
async fn an_empty_204_is_a_variant_without_data() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/corpus/jobs/running"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "running", "progress": 0.5})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/corpus/jobs/finished"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);
    let cancelled = client
        .cancel_job()
        .job_id("running")
        .send()
        .await
        .expect("200");
    assert!(matches!(cancelled.into_inner(), CancelJobResponse::Ok(c) if c.progress == 0.5),);
    let gone = client
        .cancel_job()
        .job_id("finished")
        .send()
        .await
        .expect("204");
    assert_eq!(gone.status(), 204);
    let gone = gone.into_inner();
    assert!(matches!(gone, CancelJobResponse::NoContent), "{gone:?}");
    assert_eq!(gone.status(), 204);
}

#[tokio::test]
async fn an_undocumented_success_status_is_other_with_its_json() {
    let server = serve(
        "POST",
        "/corpus/jobs",
        ResponseTemplate::new(203).set_body_json(json!({"id": "j3", "via": "proxy"})),
    )
    .await;
    let response = client(&server)
        .create_job()
        .name("x")
        .send()
        .await
        .expect("any 2xx is a success")
        .into_inner();
    assert_eq!(response.status(), 203);
    let CreateJobResponse::Other { status, body } = response else {
        panic!("203 is not documented: {response:?}");
    };
    assert_eq!(status, 203);
    assert_eq!(body, json!({"id": "j3", "via": "proxy"}));

    // Without a body, `Other` holds `null`.
    let server = serve("DELETE", "/corpus/jobs/j", ResponseTemplate::new(205)).await;
    let response = client(&server)
        .cancel_job()
        .job_id("j")
        .send()
        .await
        .expect("205");
    assert!(
        matches!(response.into_inner(), CancelJobResponse::Other { status: 205, body } if body.is_null())
    );

    // A body that is not JSON is a decode error, not a lossy value.
    let server = serve(
        "DELETE",
        "/corpus/jobs/j",
        ResponseTemplate::new(203).set_body_raw("queued", "text/plain"),
    )
    .await;
    let err = client(&server)
        .cancel_job()
        .job_id("j")
        .send()
        .await
        .expect_err("an undocumented 203 with a text body");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("status 203"), "{err}");
}

#[tokio::test]
async fn a_body_that_does_not_match_its_status_is_a_decode_error_naming_both() {
    // A `Job` answered with 202, whose schema is `JobAccepted`.
    let server = serve(
        "POST",
        "/corpus/jobs",
        ResponseTemplate::new(202).set_body_json(json!({"id": "j1", "result": "done"})),
    )
    .await;
    let err = client(&server)
        .create_job()
        .name("x")
        .send()
        .await
        .expect_err("the 202 body is not a JobAccepted");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.operation(), "create_job");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(202));
    let message = err.to_string();
    assert!(message.starts_with("create_job: "), "{message}");
    assert!(message.contains("status 202"), "{message}");
    assert!(
        message.contains("position"),
        "names the missing field: {message}"
    );
    assert!(message.contains("\"result\""), "quotes the body: {message}");
}

#[tokio::test]
async fn error_statuses_stay_typed_errors() {
    let server = serve(
        "POST",
        "/corpus/jobs",
        ResponseTemplate::new(422).set_body_json(json!({
            "detail": [{"loc": ["query", "name"], "msg": "field required", "type": "missing"}]
        })),
    )
    .await;
    let err = client(&server)
        .create_job()
        .name("x")
        .send()
        .await
        .expect_err("422 is an error");
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(err.operation(), "create_job");
    assert_eq!(err.validation_errors().map(|v| v.len()), Some(1));
}

/// Answers 503 `failures` times, then 201 with a created record.
struct FailThenCreated {
    failures: usize,
    seen: Arc<AtomicUsize>,
}

impl Respond for FailThenCreated {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) < self.failures {
            ResponseTemplate::new(503).set_body_string("busy")
        } else {
            ResponseTemplate::new(201).set_body_json(json!({"id": 9, "created": true}))
        }
    }
}

#[tokio::test]
async fn retries_and_timeouts_apply_as_for_json() {
    // PUT is idempotent: a 503 is retried, and the 201 after it decodes by its status.
    let server = MockServer::start().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("PUT"))
        .and(path("/corpus/records/9"))
        .respond_with(FailThenCreated {
            failures: 2,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    let created = client(&server)
        .upsert_record()
        .record_id(9)
        .body(record())
        .max_retries(2)
        .send()
        .await
        .expect("the third attempt succeeds")
        .into_inner();
    assert!(
        matches!(created, UpsertRecordResponse::Created(ref c) if c.id == 9),
        "{created:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 3);

    let server = serve(
        "DELETE",
        "/corpus/jobs/slow",
        ResponseTemplate::new(204).set_delay(Duration::from_secs(5)),
    )
    .await;
    let err = client(&server)
        .cancel_job()
        .job_id("slow")
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .send()
        .await
        .expect_err("the attempt times out");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.operation(), "cancel_job");
}

#[tokio::test]
async fn successes_of_one_type_keep_the_plain_return_type() {
    let server = serve(
        "POST",
        "/corpus/jobs/j4/retry",
        ResponseTemplate::new(202).set_body_json(json!({"id": "j4", "result": "queued"})),
    )
    .await;
    // `retry_job` answers `Job` at 200 and at 202: `send()` returns `Job` itself.
    let job: types::Job = client(&server)
        .retry_job()
        .job_id("j4")
        .send()
        .await
        .expect("202")
        .into_inner();
    assert_eq!(job.result, "queued");
}

#[tokio::test]
async fn typed_mocks_answer_each_variant_with_its_status() {
    let server = stackai_corpus::mock::MockServer::start().await;
    let accepted: types::JobAccepted =
        serde_json::from_value(json!({"id": "m1", "position": 1})).expect("a JobAccepted");
    server
        .create_job()
        .name("big")
        .ok(&CreateJobResponse::Accepted(accepted))
        .await;
    server
        .cancel_job()
        .job_id("done")
        .ok(&CancelJobResponse::NoContent)
        .await;
    server
        .cancel_job()
        .job_id("odd")
        .ok(&CancelJobResponse::Other {
            status: 203,
            body: json!({"note": "proxied"}),
        })
        .await;
    let client = server.client();

    let queued = client
        .create_job()
        .name("big")
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(queued.status(), 202);
    assert!(matches!(queued.into_inner(), CreateJobResponse::Accepted(a) if a.id == "m1"),);
    let done = client
        .cancel_job()
        .job_id("done")
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(done.status(), 204);
    assert!(matches!(done.into_inner(), CancelJobResponse::NoContent));
    let odd = client
        .cancel_job()
        .job_id("odd")
        .send()
        .await
        .expect("the mock answers");
    assert!(
        matches!(odd.into_inner(), CancelJobResponse::Other { status: 203, body } if body["note"] == "proxied"),
    );
}

/// A minimal `tracing` subscriber that keeps each span's thread, name and fields (as
/// text). It is the process's global default (see [`spans_of_this_thread`]): a subscriber
/// set for one test's thread only would race with the other tests' threads, which hit the
/// span's callsite without one and can leave it cached as never enabled.
#[derive(Clone, Default)]
struct Spans(Arc<std::sync::Mutex<Vec<SpanRecord>>>);

type SpanRecord = (std::thread::ThreadId, &'static str, Vec<(String, String)>);

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
}

impl tracing::Subscriber for Spans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut spans = self.0.lock().expect("not poisoned");
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        spans.push((std::thread::current().id(), span.metadata().name(), fields));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.0.lock().expect("not poisoned");
        if let Some((_, _, fields)) = spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Installs [`Spans`] as the global subscriber (once), and returns it.
fn global_spans() -> &'static Spans {
    static SPANS: std::sync::OnceLock<Spans> = std::sync::OnceLock::new();
    SPANS.get_or_init(|| {
        let spans = Spans::default();
        tracing::subscriber::set_global_default(spans.clone())
            .expect("no other global subscriber in this test binary");
        spans
    })
}

/// The spans created on this thread (a `#[tokio::test]` runs its future on its own thread).
fn spans_of_this_thread() -> Vec<(&'static str, Vec<(String, String)>)> {
    let me = std::thread::current().id();
    global_spans()
        .0
        .lock()
        .expect("not poisoned")
        .iter()
        .filter(|(thread, _, _)| *thread == me)
        .map(|(_, name, fields)| (*name, fields.clone()))
        .collect()
}

#[tokio::test]
async fn each_attempt_has_its_request_span_with_the_status() {
    global_spans();
    tracing::callsite::rebuild_interest_cache();
    let server = serve(
        "POST",
        "/corpus/jobs",
        ResponseTemplate::new(202).set_body_json(json!({"id": "j1", "position": 2})),
    )
    .await;
    let response = client(&server).create_job().name("x").send().await;
    assert!(matches!(
        response.expect("202").into_inner(),
        CreateJobResponse::Accepted(_)
    ));
    let spans = spans_of_this_thread();
    let requests: Vec<_> = spans
        .iter()
        .filter(|(name, _)| *name == "stackai.request")
        .collect();
    assert_eq!(requests.len(), 1, "{spans:?}");
    let field = |name: &str| {
        requests[0]
            .1
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("operation").as_deref(), Some("\"create_job\""));
    assert_eq!(field("status").as_deref(), Some("202"));
}

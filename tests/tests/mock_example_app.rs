//! The typed mocks (issue 11, point 3) tested by using them: a small application written
//! against the client (`app` below: a connection directory) and its own test suite, which
//! runs it against `stackai_connections::mock::MockServer` over loopback HTTP. The suite
//! also pins what the mocks promise: matching on parameters, bodies and filters, typed
//! answers, statuses and errors, pages served from a list, and unmatched requests reported
//! with the operation's name and what was sent.

use chrono::{TimeZone, Utc};
use serde_json::json;
use stackai_connections::mock::{MockServer, UNMATCHED_STATUS};
use stackai_connections::types::{self, GetPaginatedConnectionsFilterField as Field};
use stackai_connections::{ErrorKind, FilterOp};

/// The application under test: it only knows `stackai_connections::Client`.
mod app {
    use chrono::{DateTime, Utc};
    use stackai_connections::types::{self, GetPaginatedConnectionsFilterField as Field};
    use stackai_connections::{Client, Error, ErrorKind, FilterOp};

    /// The names of the Google Drive connections created since `since`, over all pages.
    pub async fn drive_connections_since(
        client: &Client,
        since: DateTime<Utc>,
    ) -> Result<Vec<String>, Error> {
        let mut connections = client
            .get_paginated_connections()
            .limit(2)
            .filter(Field::ProviderId, FilterOp::Eq, "gdrive")
            .filter(Field::CreatedAt, FilterOp::Gte, since)
            .stream();
        let mut names = Vec::new();
        while let Some(connection) = connections.next().await {
            names.push(connection?.name);
        }
        Ok(names)
    }

    /// Renames a connection; `None` when it does not exist.
    pub async fn rename(
        client: &Client,
        id: uuid::Uuid,
        name: &str,
    ) -> Result<Option<types::Connection>, Error> {
        let sent = client
            .patch_connection()
            .connection_id(id)
            .body(types::ConnectionPatchRequest::builder().name(name.to_string()))
            .send()
            .await;
        match sent {
            Ok(response) => Ok(Some(response.into_inner())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes a connection, treating one that is already gone as deleted.
    pub async fn forget(client: &Client, id: uuid::Uuid) -> Result<(), Error> {
        match client.delete_connection().connection_id(id).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn id(n: u32) -> uuid::Uuid {
    format!("00000000-0000-4000-8000-{n:012}").parse().unwrap()
}

fn connection(n: u32, name: &str) -> types::Connection {
    serde_json::from_value(json!({
        "connection_id": id(n),
        "name": name,
        "org_id": "org-1",
        "provider_id": "gdrive",
        "connection_type_id": "oauth",
        "created_at": "2025-11-10T10:49:18Z",
        "updated_at": "2025-11-10T10:49:18Z",
        "connection_provider_data": {}
    }))
    .unwrap()
}

#[tokio::test]
async fn lists_filtered_connections_over_all_pages() {
    let server = MockServer::start().await;
    let since = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let five: Vec<types::Connection> = (0..5).map(|n| connection(n, &format!("c{n}"))).collect();
    server
        .get_paginated_connections()
        .filter(Field::ProviderId, FilterOp::Eq, "gdrive")
        .filter(Field::CreatedAt, FilterOp::Gte, since)
        .times(3)
        .pages(five)
        .await;
    let names = app::drive_connections_since(&server.client(), since)
        .await
        .expect("every page matched the mock");
    assert_eq!(names, ["c0", "c1", "c2", "c3", "c4"]);
}

#[tokio::test]
async fn a_request_without_the_filters_is_unmatched_and_reported() {
    let server = MockServer::start().await;
    server
        .get_paginated_connections()
        .filter(Field::ProviderId, FilterOp::Eq, "notion")
        .pages(vec![connection(1, "n")])
        .await;
    let since = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let error = app::drive_connections_since(&server.client(), since)
        .await
        .expect_err("the app asks for gdrive, the mock serves notion");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(UNMATCHED_STATUS));
    assert!(
        error
            .to_string()
            .contains("no mock of `get_paginated_connections`"),
        "{error}"
    );
    let reports = server.take_unmatched();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = &reports[0];
    for expected in [
        "get_paginated_connections",
        "GET /api/v1/connections?",
        "provider_id__eq=gdrive",
        "created_at__gte=2025-01-01T00:00:00Z",
        "authorization: <redacted>",
        "expects: query provider_id__eq = notion",
    ] {
        assert!(report.contains(expected), "{expected:?} not in {report}");
    }
    assert!(
        !report.contains(stackai_connections::mock::MOCK_TOKEN),
        "{report}"
    );
}

#[tokio::test]
async fn renames_by_path_and_body_and_handles_not_found() {
    let server = MockServer::start().await;
    let body = types::ConnectionPatchRequest::builder()
        .name("Renamed".to_string())
        .try_into()
        .unwrap();
    server
        .patch_connection()
        .connection_id(id(1))
        .body(&body)
        .times(1)
        .ok(&connection(1, "Renamed"))
        .await;
    server
        .patch_connection()
        .connection_id(id(2))
        .error(404, &json!({"detail": "Connection not found"}))
        .await;
    let client = server.client();
    let renamed = app::rename(&client, id(1), "Renamed").await.unwrap();
    assert_eq!(renamed.map(|c| c.name).as_deref(), Some("Renamed"));
    assert!(app::rename(&client, id(2), "x").await.unwrap().is_none());

    // Same path, another body: no mock matches, the app sees the mock's 501.
    let error = app::rename(&client, id(1), "Other").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    let report = server.take_unmatched().join("\n");
    assert!(report.contains("no mock of `patch_connection`"), "{report}");
    assert!(report.contains(r#"body: {"name":"Other"}"#), "{report}");
}

#[tokio::test]
async fn statuses_and_empty_successes() {
    let server = MockServer::start().await;
    server.delete_connection().connection_id(id(1)).ok().await;
    server
        .delete_connection()
        .connection_id(id(2))
        .status(404)
        .await;
    server
        .delete_connection()
        .connection_id(id(3))
        .error(
            422,
            &json!({"detail": [{"loc": ["path"], "msg": "bad", "type": "x"}]}),
        )
        .await;
    let client = server.client();
    app::forget(&client, id(1)).await.expect("204");
    app::forget(&client, id(2)).await.expect("already gone");
    let invalid = app::forget(&client, id(3)).await.unwrap_err();
    assert_eq!(invalid.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn cursor_pages_and_literal_routes() {
    let server = MockServer::start().await;
    let resources: Vec<types::Resource> = (0..3)
        .map(|n| {
            serde_json::from_value(json!({
                "resource_id": format!("r{n}"),
                "inode_type": "file",
                "inode_path": {"path": format!("docs/r{n}.pdf")}
            }))
            .unwrap()
        })
        .collect();
    server
        .get_children_resources()
        .connection_id(id(1))
        .pages(resources)
        .await;
    server.get_available_connections().ok(&Vec::new()).await;
    let client = server.client();
    let mut stream = client
        .get_children_resources()
        .connection_id(id(1))
        .page_size(std::num::NonZeroU64::new(2).unwrap())
        .stream();
    let mut seen = Vec::new();
    while let Some(resource) = stream.next().await {
        seen.push(resource.unwrap().resource_id);
    }
    assert_eq!(seen, ["r0", "r1", "r2"]);
    // `/connections/available` is its own operation, not `/connections/{connection_id}`.
    let available = client.get_available_connections().send().await.unwrap();
    assert!(available.into_inner().is_empty());
    assert!(server.take_unmatched().is_empty());
}

#[tokio::test]
async fn dropping_the_server_with_unmatched_requests_fails_the_test() {
    let task = tokio::spawn(async {
        let server = MockServer::start().await;
        let sent = server
            .client()
            .get_connection_by_id()
            .connection_id(id(9))
            .send()
            .await;
        assert!(sent.is_err(), "no mock is mounted");
        drop(server);
    });
    let panic = task
        .await
        .expect_err("the drop fails the task")
        .into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("no mock of `get_connection_by_id`"),
        "{message}"
    );
    assert!(
        message.contains("no mock of `get_connection_by_id` is mounted"),
        "{message}"
    );
    assert!(
        message.contains(&format!("GET /connections/{}", id(9))),
        "{message}"
    );
}

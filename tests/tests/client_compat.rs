//! Forward compatibility (issue 3, point 7), over loopback HTTP: enum values and fields
//! the API adds after this crate was generated decode, are kept, and go back unchanged.

mod support;

use serde_json::{Map, Value, json};
use stackai_connections::types;
use support::{connection_id, connection_json, json_response, received, resource_json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

async fn serve(server: &MockServer, verb: &str, at: &str, body: Value) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(json_response(200, body))
        .mount(server)
        .await;
}

/// A resource with a new inode type, a new status and a field this crate does not know.
fn future_resource() -> Value {
    let mut resource = resource_json("link-1");
    resource["inode_type"] = json!("symlink");
    resource["status"] = json!("archived");
    resource["target"] = json!({"resource_id": "doc-9", "hops": 2});
    resource
}

#[tokio::test]
async fn unknown_enum_values_decode_to_unknown_and_serialize_back_unchanged() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        &format!("/connections/{}/resources/children", support::CONNECTION_ID),
        json!({"data": [future_resource(), resource_json("plain")], "next_cursor": null}),
    )
    .await;

    let page = support::client(&server)
        .get_children_resources()
        .connection_id(connection_id())
        .send()
        .await
        .expect("a new enum value does not fail the response")
        .into_inner();

    let link = &page.data[0];
    assert_eq!(link.inode_type, types::InodeType::Unknown("symlink".into()));
    assert_eq!(
        link.status,
        Some(types::ResourceStatus::Unknown("archived".into()))
    );
    let back = serde_json::to_value(link).expect("serializes");
    assert_eq!(back["inode_type"], "symlink");
    assert_eq!(back["status"], "archived");
    assert_eq!(back, future_resource(), "the whole resource round-trips");

    // Known values are unaffected.
    assert_eq!(page.data[1].inode_type, types::InodeType::File);
    assert_eq!(
        serde_json::to_value(&page.data[1].inode_type).unwrap(),
        "file"
    );
}

#[tokio::test]
async fn unknown_fields_are_kept_in_extra_at_every_level_and_round_trip() {
    let server = MockServer::start().await;
    let mut connection = connection_json(support::CONNECTION_ID, "Drive");
    connection["region"] = json!("eu-west-1");
    connection["quota"] = json!({"used": 3, "limit": null});
    connection["created_by"] = json!({"id": "u1", "email": "a@b.c", "locale": "fr-FR"});
    // Timestamps in the form the client writes them, so that the round trip is exact.
    connection["created_at"] = json!("2025-11-10T10:49:18.436394Z");
    connection["updated_at"] = json!("2025-11-10T10:49:18.436438Z");
    serve(
        &server,
        "GET",
        &format!("/connections/{}", support::CONNECTION_ID),
        connection.clone(),
    )
    .await;

    let decoded = support::client(&server)
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await
        .expect("new fields do not fail the response")
        .into_inner();

    assert_eq!(
        decoded.extra,
        object(json!({"region": "eu-west-1", "quota": {"used": 3, "limit": null}}))
    );
    let user = decoded.created_by.as_ref().expect("created_by");
    assert_eq!(user.extra, object(json!({"locale": "fr-FR"})));
    assert_eq!(
        serde_json::to_value(&decoded).expect("serializes"),
        connection
    );
}

#[tokio::test]
async fn new_fields_never_break_decoding_of_any_response_shape() {
    let server = MockServer::start().await;
    let new = json!({"added_in_v2": [1, 2, {"deep": true}]});
    let with_new = |mut value: Value| {
        value.as_object_mut().unwrap().extend(object(new.clone()));
        value
    };
    serve(
        &server,
        "GET",
        "/connections/available",
        json!([with_new(json!({
            "connection_type_id": "t", "provider_id": "p", "name": "n",
            "connection_type": "api_key_v2",
            "params": [with_new(json!({"label": "l", "type": "secret_v2", "name": "k"}))]
        }))]),
    )
    .await;
    serve(
        &server,
        "GET",
        "/api/v1/connections",
        with_new(json!({
            "data": [with_new(connection_json(support::CONNECTION_ID, "n"))],
            "offset": 0, "limit": 10, "total": 1,
            "status_code": 200, "response_code": "ok", "meta": {}
        })),
    )
    .await;
    serve(
        &server,
        "GET",
        &format!("/connections/{}/resources/search", support::CONNECTION_ID),
        with_new(json!({"data": [with_new(resource_json("r"))], "next_cursor": null})),
    )
    .await;
    let client = support::client(&server);

    let available = client
        .get_available_connections()
        .send()
        .await
        .expect("decodes")
        .into_inner();
    assert_eq!(available[0].extra, object(new.clone()));
    assert_eq!(available[0].connection_type, "api_key_v2");
    assert_eq!(available[0].params[0].extra, object(new.clone()));

    let paginated = client
        .get_paginated_connections()
        .send()
        .await
        .expect("decodes")
        .into_inner();
    assert_eq!(paginated.extra, object(new.clone()));
    assert_eq!(paginated.data[0].extra, object(new.clone()));

    let found = client
        .search_resources()
        .connection_id(connection_id())
        .query("q")
        .send()
        .await
        .expect("decodes")
        .into_inner();
    assert_eq!(found.extra, object(new.clone()));
    assert_eq!(found.data[0].extra, object(new));
}

#[tokio::test]
async fn a_request_body_with_extra_fields_sends_them() {
    let server = MockServer::start().await;
    serve(
        &server,
        "POST",
        "/connections",
        connection_json(support::CONNECTION_ID, "n"),
    )
    .await;

    let body = support::connection_request().extra(object(json!({
        "labels": ["finance"],
        "sync": {"every_minutes": 15}
    })));
    support::client(&server)
        .create_connection()
        .body(body)
        .send()
        .await
        .expect("200");

    let requests = received(&server).await;
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    assert_eq!(
        sent,
        json!({
            "name": "Team Drive",
            "provider_id": "gdrive",
            "connection_type_id": "oauth",
            "connection_provider_data": support::secret_provider_data(),
            "labels": ["finance"],
            "sync": {"every_minutes": 15}
        })
    );
}

#[tokio::test]
async fn an_unknown_enum_value_can_be_sent_as_a_query_parameter() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/api/v1/connections",
        json!({
            "data": [], "offset": 0, "limit": 10, "total": 0,
            "status_code": 200, "response_code": "ok"
        }),
    )
    .await;

    support::client(&server)
        .get_paginated_connections()
        .sort_by(types::ConnectionSortBy::Unknown("last_used_at".into()))
        .sort_dir(types::SortDirection::Desc)
        .send()
        .await
        .expect("200");

    let requests = received(&server).await;
    assert_eq!(
        requests[0].url.query(),
        Some("sort_by=last_used_at&sort_dir=desc")
    );
}

#[test]
fn unknown_enum_values_round_trip_through_serde_for_every_string_enum() {
    macro_rules! round_trip {
        ($wire:literal, $expected:expr) => {{
            let expected = $expected;
            let decoded = serde_json::from_value(json!($wire)).expect("decodes");
            assert_eq!(expected, decoded);
            assert_eq!(
                serde_json::to_value(&decoded).expect("serializes"),
                json!($wire)
            );
        }};
    }
    round_trip!("symlink", types::InodeType::Unknown("symlink".into()));
    round_trip!("directory", types::InodeType::Directory);
    round_trip!(
        "archived",
        types::ResourceStatus::Unknown("archived".into())
    );
    round_trip!("being_indexed", types::ResourceStatus::BeingIndexed);
    round_trip!("random", types::SortDirection::Unknown("random".into()));
    round_trip!("asc", types::SortDirection::Asc);
    round_trip!("size", types::ConnectionSortBy::Unknown("size".into()));
    round_trip!(
        "service_account",
        types::RbacSubjectType::Unknown("service_account".into())
    );
}

/// Every field of a request body that the caller leaves out takes its default, the
/// map of extra fields included: a body built from the required fields alone converts.
#[test]
fn a_body_built_without_extra_fields_converts() {
    let body: Result<types::ConnectionRequest, _> = types::ConnectionRequest::builder()
        .provider_id("gdrive")
        .connection_type_id("oauth")
        .connection_provider_data(Map::new())
        .try_into();
    let body = body.expect("no extra fields is an empty map, not a missing field");
    assert!(body.extra.is_empty());

    let patch: Result<types::ConnectionPatchRequest, _> = types::ConnectionPatchRequest::builder()
        .name("n")
        .try_into();
    assert!(patch.is_ok());
}

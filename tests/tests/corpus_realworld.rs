//! Loopback HTTP tests for the real-world service of the feature corpus
//! (`openapi/corpus/realworld.py`): routers with prefixes and dependencies, custom
//! operationIds, generic and root models, computed fields, aliases, secrets and other
//! formats, sets, open models, long names, and schemas named `Model`, `Error`, `Client`,
//! `Result` and `Option`. Each test checks the request on the wire (a server on 127.0.0.1
//! answers only the exact request) and decodes the JSON pydantic emits for these models
//! (`python3 openapi/corpus/realworld.py` prints it).

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{Value, json};
use stackai_corpus::{Client, ErrorKind, types};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("corpus-token")
        .build()
        .expect("a loopback client builds")
}

/// Mounts `mock` answering `status` with `reply`, once, on a new server.
async fn serve(mock: MockBuilder, status: u16, reply: Value) -> MockServer {
    let server = MockServer::start().await;
    mock.respond_with(ResponseTemplate::new(status).set_body_json(reply))
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// The widget `realworld.py`'s `sample_json()` prints, as pydantic serializes it: the alias
/// `createdAt`, sets as arrays, root models as their roots, and the computed `display_name`.
fn widget_json() -> Value {
    json!({
        "name": "sprocket",
        "price_cents": 1250,
        "createdAt": "2024-05-01T12:00:00Z",
        "tags": ["blue"],
        "bin_numbers": [7],
        "revision": 2,
        "dimensions": [1.5, 2.0, 3.0],
        "labels": {"team": "core"},
        "display_name": "sprocket (12.50)"
    })
}

fn check_widget(widget: &types::WidgetOutput) {
    assert_eq!(widget.name, "sprocket");
    assert_eq!(widget.price_cents, 1250);
    assert_eq!(widget.created_at.to_rfc3339(), "2024-05-01T12:00:00+00:00");
    assert_eq!(widget.tags, vec!["blue".to_string()]);
    assert_eq!(widget.bin_numbers, vec![7]);
    assert_eq!(widget.revision, types::WidgetOutputRevision::V2);
    assert_eq!(
        widget.dimensions.as_deref().map(Vec::as_slice),
        Some(&[1.5, 2.0, 3.0][..])
    );
    assert_eq!(
        widget.labels.as_deref().and_then(|l| l.get("team")),
        Some(&"core".to_string())
    );
    assert_eq!(widget.display_name, "sprocket (12.50)");
    assert!(widget.extra.is_empty(), "{:?}", widget.extra);
}

// Routers: a prefix, the router's dependencies (a tenant header and a locale query) on every
// route, and a generic `Page[Widget]`.

#[tokio::test]
async fn a_routers_dependencies_are_parameters_of_its_routes() {
    let reply = json!({"items": [widget_json()], "total": 1, "next_token": "t2"});
    let server = serve(
        Mock::given(method("GET"))
            .and(path("/corpus/realworld/widgets"))
            .and(header("x-tenant-id", "acme"))
            .and(query_param("locale", "fr"))
            .and(query_param("page_size", "1")),
        200,
        reply,
    )
    .await;
    let page: types::PageWidget = client(&server)
        .realworld_list_widgets()
        .x_tenant_id("acme")
        .locale("fr".to_string())
        .page_size(1)
        .send()
        .await
        .expect("the server answers the page")
        .into_inner();
    assert_eq!(page.total, 1);
    assert_eq!(page.next_token.as_deref(), Some("t2"));
    check_widget(&page.items[0]);
}

#[tokio::test]
async fn the_dependency_header_is_required() {
    let server = MockServer::start().await;
    let err = client(&server)
        .realworld_list_widgets()
        .send()
        .await
        .expect_err("the tenant header is required");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(err.to_string().contains("x_tenant_id"), "{err}");
}

// Aliases, sets, `Literal` ints and root models in a request; the computed field only in
// the response (`Widget-Input` / `Widget-Output`).

#[tokio::test]
async fn a_widget_is_sent_by_its_aliases_and_read_with_its_computed_field() {
    let mut request = widget_json();
    request.as_object_mut().unwrap().remove("display_name");
    let server = serve(
        Mock::given(method("POST"))
            .and(path("/corpus/realworld/widgets"))
            .and(header("x-tenant-id", "acme"))
            .and(body_json(request)),
        201,
        widget_json(),
    )
    .await;
    let created = client(&server)
        .realworld_create_widget()
        .x_tenant_id("acme")
        .body_map(|b| {
            b.name("sprocket")
                .price_cents(1250)
                .created_at(
                    "2024-05-01T12:00:00Z"
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .unwrap(),
                )
                .tags(vec!["blue".to_string()])
                .bin_numbers(vec![7])
                .revision(types::WidgetInputRevision::V2)
                .dimensions(Some(types::Dimensions::from(vec![1.5, 2.0, 3.0])))
                .labels(Some(types::Labels::from(HashMap::from([(
                    "team".to_string(),
                    "core".to_string(),
                )]))))
        })
        .send()
        .await
        .expect("the server answers the created widget")
        .into_inner();
    check_widget(&created);
}

#[tokio::test]
async fn an_unknown_literal_int_round_trips() {
    let mut reply = widget_json();
    reply["revision"] = json!(3);
    let server = serve(
        Mock::given(method("GET")).and(path("/corpus/realworld/widgets")),
        200,
        json!({"items": [reply], "total": 1}),
    )
    .await;
    let page = client(&server)
        .realworld_list_widgets()
        .x_tenant_id("acme")
        .send()
        .await
        .expect("an unknown revision still decodes")
        .into_inner();
    assert_eq!(
        page.items[0].revision,
        types::WidgetOutputRevision::Unknown(3)
    );
    assert_eq!(page.next_token, None);
    assert_eq!(serde_json::to_value(&page.items[0]).unwrap()["revision"], 3);
}

// An alias generator (`to_camel`): every field camelCase on the wire; the second `Page[T]`.

#[tokio::test]
async fn an_alias_generator_spells_every_field_on_the_wire() {
    let gadget = json!({"gadgetId": 3, "serialNumber": "SN-3", "warrantyExpiresAt": "2027-01-31"});
    let server = serve(
        Mock::given(method("PUT"))
            .and(path("/corpus/realworld/widgets/sprocket/gadgets/3"))
            .and(body_json(
                json!({"gadgetId": 3, "serialNumber": "SN-3", "warrantyExpiresAt": "2027-01-31"}),
            )),
        200,
        gadget.clone(),
    )
    .await;
    let replaced = client(&server)
        .realworld_replace_widget_gadget()
        .x_tenant_id("acme")
        .widget_name("sprocket")
        .gadget_id(3)
        .body_map(|b| {
            b.gadget_id(3)
                .serial_number("SN-3")
                .warranty_expires_at(Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()))
        })
        .send()
        .await
        .expect("the server echoes the gadget")
        .into_inner();
    assert_eq!(
        (replaced.gadget_id, replaced.serial_number.as_str()),
        (3, "SN-3")
    );

    let server = serve(
        Mock::given(method("GET")).and(path("/corpus/realworld/widgets/sprocket/gadgets")),
        200,
        json!({"items": [{"gadgetId": 4, "serialNumber": "SN-4", "warrantyExpiresAt": null}], "total": 1, "next_token": null}),
    )
    .await;
    let page: types::PageGadget = client(&server)
        .realworld_list_widget_gadgets()
        .x_tenant_id("acme")
        .widget_name("sprocket")
        .send()
        .await
        .expect("the server answers the page")
        .into_inner();
    assert_eq!(page.items[0].gadget_id, 4);
    assert_eq!(page.items[0].warranty_expires_at, None);
}

// Formats a real service uses, a secret, `Json[...]` and `JsonValue`; the answer leaves out
// its null fields (`response_model_exclude_none`).

#[tokio::test]
async fn an_account_sends_its_formats_and_redacts_its_secret() {
    let request = json!({
        "email": "ada@example.com",
        "homepage": "https://example.com/ada",
        "last_login_ip": "2001:db8::1",
        "api_key": "sk-live-123",
        "avatar": "png bytes",
        "preferences": "{\"theme\":2}",
        "metadata": {"plan": ["pro", 3, null]}
    });
    // As pydantic answers it: the secret masked, `Json[...]` as the value it holds, no nulls.
    let reply = json!({
        "email": "ada@example.com",
        "homepage": "https://example.com/ada",
        "last_login_ip": "192.168.0.1",
        "api_key": "**********",
        "avatar": "png bytes",
        "preferences": {"theme": 2},
        "metadata": {"plan": ["pro", 3, null]}
    });
    let server = serve(
        Mock::given(method("POST"))
            .and(path("/corpus/realworld/accounts"))
            .and(body_json(request)),
        200,
        reply,
    )
    .await;
    let ip: IpAddr = "2001:db8::1".parse().unwrap();
    let body = types::AccountInput::builder()
        .email("ada@example.com")
        .homepage("https://example.com/ada")
        .last_login_ip(ip)
        .api_key("sk-live-123")
        .avatar("png bytes")
        .preferences(serde_json::to_string(&json!({"theme": 2})).unwrap())
        .metadata(Some(types::JsonValue::from(
            json!({"plan": ["pro", 3, null]}),
        )));
    let sent: types::AccountInput = body.clone().try_into().expect("a complete account");
    let debug = format!("{sent:?}");
    assert!(!debug.contains("sk-live-123"), "{debug}");
    assert!(debug.contains("ada@example.com"), "{debug}");

    let account = client(&server)
        .realworld_register_account()
        .x_tenant_id("acme")
        .body(body)
        .send()
        .await
        .expect("the server answers the account")
        .into_inner();
    assert_eq!(
        account.last_login_ip,
        "192.168.0.1".parse::<IpAddr>().unwrap()
    );
    assert_eq!(account.api_key, "**********");
    assert_eq!(
        account.preferences,
        HashMap::from([("theme".to_string(), 2)])
    );
    assert_eq!(account.homepage.as_str(), "https://example.com/ada");
    assert_eq!(account.nickname, None);
    assert_eq!(
        account.metadata.as_deref(),
        Some(&json!({"plan": ["pro", 3, null]}))
    );
    assert!(!format!("{account:?}").contains("*****"));
}

#[tokio::test]
async fn an_ip_address_that_is_not_one_is_a_decode_error() {
    let server = serve(
        Mock::given(method("POST")).and(path("/corpus/realworld/accounts")),
        200,
        json!({"email": "a@b.c", "homepage": "https://b.c", "last_login_ip": "not-an-ip",
               "api_key": "**********", "avatar": "", "preferences": {}}),
    )
    .await;
    let err = client(&server)
        .realworld_register_account()
        .x_tenant_id("acme")
        .body_map(|b| {
            b.email("a@b.c")
                .homepage("https://b.c")
                .last_login_ip(IpAddr::from([127, 0, 0, 1]))
                .api_key("k")
                .avatar("")
                .preferences("{}")
        })
        .send()
        .await
        .expect_err("`not-an-ip` is no IpAddr");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

// `extra="allow"`: fields the document does not name are sent and kept.

#[tokio::test]
async fn an_open_model_sends_and_keeps_fields_the_document_does_not_name() {
    let server = serve(
        Mock::given(method("POST"))
            .and(path(
                "/corpus/realworld/accounts/ada@example.com/annotations",
            ))
            .and(body_json(json!({"author": "ada", "mood": "curious"}))),
        200,
        json!({"author": "ada", "mood": "curious", "stars": 5}),
    )
    .await;
    let mut extra = serde_json::Map::new();
    extra.insert("mood".into(), json!("curious"));
    let annotation = client(&server)
        .realworld_annotate_account()
        .x_tenant_id("acme")
        .account_email("ada@example.com")
        .body_map(|b| b.author("ada").extra(extra))
        .send()
        .await
        .expect("the server answers the annotation")
        .into_inner();
    assert_eq!(annotation.author, "ada");
    assert_eq!(annotation.note, None);
    assert_eq!(annotation.extra.get("mood"), Some(&json!("curious")));
    assert_eq!(annotation.extra.get("stars"), Some(&json!(5)));
}

// Very long model and field names.

#[tokio::test]
async fn very_long_names_are_kept_whole() {
    let record = json!({
        "maximum_number_of_concurrent_provisioning_operations_per_region": 12,
        "identifier_of_the_organizational_unit_that_owns_this_configuration_snapshot": "ou-7"
    });
    let server = serve(
        Mock::given(method("POST"))
            .and(path("/corpus/realworld/accounts/snapshots"))
            .and(body_json(record.clone())),
        200,
        record,
    )
    .await;
    let snapshot: types::VeryLongEnterpriseResourceProvisioningConfigurationSnapshotRecord =
        client(&server)
            .realworld_record_provisioning_configuration_snapshot()
            .x_tenant_id("acme")
            .body_map(|b| {
                b.maximum_number_of_concurrent_provisioning_operations_per_region(12)
                    .identifier_of_the_organizational_unit_that_owns_this_configuration_snapshot(
                        "ou-7",
                    )
            })
            .send()
            .await
            .expect("the server echoes the record")
            .into_inner();
    assert_eq!(
        snapshot.maximum_number_of_concurrent_provisioning_operations_per_region,
        12
    );
}

// Schemas named `Model`, `Client`, `Result`, `Option` and `Error` are types like any other,
// beside the crate's own `Client`, `Error` and std's `Result` and `Option`.

#[tokio::test]
async fn schemas_named_like_rust_and_client_names_are_types() {
    let registry = json!({
        "model": {"name": "m", "version": 2},
        "client": {"client_id": "c-1", "redirect_uris": ["https://a.example/cb"]},
        "result": {"ok": true, "value": 0.5},
        "option": [{"key": "beta", "enabled": false}],
        "last_error": {"code": "E1", "message": "boom"}
    });
    // pydantic answers the unset `request_id` as null; the client leaves it out.
    let mut reply = registry.clone();
    reply["last_error"]["request_id"] = Value::Null;
    let server = serve(
        Mock::given(method("PUT"))
            .and(path("/corpus/realworld/registry"))
            .and(body_json(registry)),
        200,
        reply,
    )
    .await;
    let option: types::Option = types::Option::builder()
        .key("beta")
        .enabled(false)
        .try_into()
        .unwrap();
    let result: types::Result = types::Result::builder()
        .ok(true)
        .value(Some(0.5))
        .try_into()
        .unwrap();
    let error: types::Error = types::Error::builder()
        .code("E1")
        .message("boom")
        .request_id(None)
        .try_into()
        .unwrap();
    let body = types::Registry::builder()
        .model(types::Model::builder().name("m").version(2))
        .client(
            types::Client::builder()
                .client_id("c-1")
                .redirect_uris(vec!["https://a.example/cb".to_string()]),
        )
        .result(Some(result))
        .option(vec![option])
        .last_error(Some(error));
    let answered: types::Registry = client(&server)
        .realworld_replace_registry()
        .body(body)
        .send()
        .await
        .expect("the server echoes the registry")
        .into_inner();
    assert_eq!(answered.model.version, 2);
    assert_eq!(answered.client.client_id, "c-1");
    assert_eq!(answered.result.as_ref().map(|r| r.ok), Some(true));
    assert!(!answered.option[0].enabled);
    assert_eq!(
        answered.last_error.as_ref().map(|e| e.code.as_str()),
        Some("E1")
    );

    let server = serve(
        Mock::given(method("GET")).and(path("/corpus/realworld/registry/result")),
        200,
        json!({"ok": false, "value": null}),
    )
    .await;
    let result: types::Result = client(&server)
        .realworld_get_registry_result()
        .send()
        .await
        .expect("the server answers the result")
        .into_inner();
    assert!(!result.ok);
    assert_eq!(result.value, None);

    let server = serve(
        Mock::given(method("POST"))
            .and(path("/corpus/realworld/registry/options"))
            .and(body_json(json!([{"key": "a", "enabled": true}]))),
        200,
        json!([{"key": "a"}]),
    )
    .await;
    let options: Vec<types::Option> = client(&server)
        .realworld_set_registry_options()
        .body(vec![types::Option::builder().key("a").try_into().unwrap()])
        .send()
        .await
        .expect("the server answers the options")
        .into_inner();
    assert!(options[0].enabled, "the default of `enabled` is true");
}

// The router's shared error responses (`responses=`): an error status is an error of the
// operation (what its body decodes to is not this file's concern).

#[tokio::test]
async fn a_shared_error_response_is_an_error_of_the_operation() {
    let server = serve(
        Mock::given(method("GET")).and(path("/corpus/realworld/registry/result")),
        404,
        json!({"code": "not_found", "message": "no result yet"}),
    )
    .await;
    let err = client(&server)
        .realworld_get_registry_result()
        .send()
        .await
        .expect_err("404 is an error");
    assert_eq!(err.operation(), "realworld_get_registry_result");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

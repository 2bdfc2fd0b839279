//! Loopback HTTP tests for `openapi/corpus/quirks.py`: shapes of real FastAPI documents
//! whose crates once failed to compile (issue 17's sweep). Each is checked on the wire.
//!
//! * Offset pagination with bounded parameters (`limit: NonZeroU64`, `offset: u64`, a
//!   `total: u64`): every page is fetched, with the offsets the server expects.
//! * A word-or-number value (`Literal["auto", "off"] | int`): a number is parsed as the
//!   number, not swallowed by the open string enum; unknown words still parse.
//! * A tuple field with a default (`(i64, i64)` from `[1, 9223372036854775807]`).
//! * Query parameters named like Rust keywords (`where`, `type`, `move`): setters `where_`,
//!   `type_`, `move_`, sent under their wire names.

use futures_util::StreamExt;
use serde_json::json;
use stackai_corpus::{Client, types};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("corpus-token")
        .build()
        .expect("a loopback client builds")
}

/// A server answering `verb route` with the JSON body it was sent.
async fn echo_server(verb: &str, route: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(|request: &Request| {
            ResponseTemplate::new(200).set_body_raw(request.body.clone(), "application/json")
        })
        .mount(&server)
        .await;
    server
}

/// Serves 25 items, `limit` (default 10) at a time from `offset`, with `total: 25`.
struct Pages;

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.parse::<u64>().expect("an integer"))
        };
        let offset = query("offset").unwrap_or(0);
        let limit = query("limit").unwrap_or(10);
        let data: Vec<_> = (offset..(offset + limit).min(25))
            .map(|id| json!({"id": id}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"data": data, "total": 25}))
    }
}

async fn offsets_seen(server: &MockServer) -> Vec<(Option<String>, Option<String>)> {
    let requests = server.received_requests().await.expect("recording is on");
    requests
        .iter()
        .map(|r| {
            let get = |name: &str| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            (get("limit"), get("offset"))
        })
        .collect()
}

#[tokio::test]
async fn bounded_limit_and_offset_page_through_every_item() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/quirks/bounded"))
        .respond_with(Pages)
        .mount(&server)
        .await;
    let client = client(&server);

    // The document's default limit (10): three pages, the last one short.
    let ids: Vec<i64> = client
        .list_bounded_items()
        .stream()
        .map(|item| item.expect("every page decodes").id)
        .collect()
        .await;
    assert_eq!(ids, (0..25).collect::<Vec<i64>>());
    let seen = offsets_seen(&server).await;
    assert_eq!(
        seen,
        vec![
            (None, Some("0".into())),
            (None, Some("10".into())),
            (None, Some("20".into())),
        ]
    );
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/corpus/quirks/bounded"))
        .respond_with(Pages)
        .mount(&server)
        .await;

    // A limit set through the `NonZeroU64` setter, and a starting offset through the `u64` one.
    let ids: Vec<i64> = client
        .list_bounded_items()
        .limit(std::num::NonZeroU64::new(7).expect("not zero"))
        .offset(5u64)
        .stream()
        .map(|item| item.expect("every page decodes").id)
        .collect()
        .await;
    assert_eq!(ids, (5..25).collect::<Vec<i64>>());
    let seen = offsets_seen(&server).await;
    let offsets: Vec<&str> = seen.iter().filter_map(|(_, o)| o.as_deref()).collect();
    assert_eq!(offsets, ["5", "12", "19"]);
    assert!(seen.iter().all(|(l, _)| l.as_deref() == Some("7")));

    // One page, with where the next one starts and the total.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/corpus/quirks/bounded"))
        .respond_with(Pages)
        .mount(&server)
        .await;
    let page = client
        .list_bounded_items()
        .offset(20u64)
        .page()
        .await
        .expect("a page");
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.total, Some(25));
    assert!(page.next.is_none(), "offset 20 + 5 reaches the total");
}

#[test]
fn a_word_or_a_number_parses_the_number_first() {
    use types::{QuirkSettingRetries as Retries, QuirkSettingRetriesString as Word};
    assert!(matches!("3".parse::<Retries>(), Ok(Retries::Integer(3))));
    assert!(matches!(
        "auto".parse::<Retries>(),
        Ok(Retries::String(Word::Auto))
    ));
    // A word this crate does not know is kept, not an error.
    assert!(matches!(
        "sometimes".parse::<Retries>(),
        Ok(Retries::String(Word::Unknown(word))) if word == "sometimes"
    ));
    // And the same from JSON.
    let decoded: types::QuirkSetting =
        serde_json::from_value(json!({"retries": 4})).expect("a number decodes");
    assert!(matches!(decoded.retries, Retries::Integer(4)));
    let decoded: types::QuirkSetting =
        serde_json::from_value(json!({"retries": "off"})).expect("a word decodes");
    assert!(matches!(decoded.retries, Retries::String(Word::Off)));
}

#[tokio::test]
async fn a_word_or_a_number_goes_on_the_wire_as_itself() {
    let server = echo_server("PUT", "/corpus/quirks/setting").await;
    let client = client(&server);
    for (fallback, wire) in [
        (types::PutQuirkSettingFallback::Integer(2), "2"),
        (
            types::PutQuirkSettingFallback::String(types::PutQuirkSettingFallbackString::Off),
            "off",
        ),
    ] {
        let echo = client
            .put_quirk_setting()
            .fallback(fallback)
            .body_map(|b| b.retries(types::QuirkSettingRetries::Integer(9)))
            .send()
            .await
            .expect("the request succeeds")
            .into_inner();
        assert!(matches!(
            echo.retries,
            types::QuirkSettingRetries::Integer(9)
        ));
        let requests = server.received_requests().await.expect("recording is on");
        let last = requests.last().expect("a request");
        let sent: Vec<(String, String)> = last.url.query_pairs().into_owned().collect();
        assert_eq!(sent, [("fallback".to_string(), wire.to_string())]);
        let body: serde_json::Value = serde_json::from_slice(&last.body).expect("JSON");
        assert_eq!(body["retries"], json!(9));
        // The tuple's default, from the document, fills the field the builder was not given.
        assert_eq!(body["page_range"], json!([1, i64::MAX]));
        assert_eq!(echo.page_range, (1, i64::MAX));
    }
}

#[tokio::test]
async fn query_parameters_named_like_keywords_keep_their_wire_names() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/quirks/filter"))
        .and(query_param("where", "size > 3"))
        .and(query_param("type", "doc"))
        .and(query_param("move", "true"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"where": "size > 3", "type": "doc", "move": true})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let echo = client(&server)
        .filter_quirks()
        .where_("size > 3")
        .type_("doc")
        .move_(true)
        .send()
        .await
        .expect("the request matches the keyword-named parameters")
        .into_inner();
    assert_eq!(echo.where_.as_deref(), Some("size > 3"));
    assert_eq!(echo.type_.as_deref(), Some("doc"));
    assert_eq!(echo.move_, Some(true));
}

/// Units as ansys's documents have them (values differing only in case, a value listed
/// twice, values no Rust names tell apart) and a required name without a property (Letta's
/// `UserCreate`), sent and decoded over loopback.
#[tokio::test]
async fn units_and_a_required_name_without_a_property_round_trip() {
    let server = echo_server("POST", "/corpus/quirks/measures").await;
    let echo = client(&server)
        .record_quirk_measure()
        .body_map(|b| {
            b.energy(1.5)
                .energy_unit(types::EnergyUnit::MJ)
                .power_unit(types::QuirkMeasurePowerUnit::Hp)
                .currency(Some("USD".to_string()))
                .owner_id(json!("org-7"))
        })
        .send()
        .await
        .expect("the request succeeds")
        .into_inner();
    let requests = server.received_requests().await.expect("recording is on");
    let sent: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    assert_eq!(
        sent,
        json!({"energy": 1.5, "energy_unit": "mJ", "power_unit": "hp", "currency": "USD", "owner_id": "org-7"})
    );
    // `MJ` (mega) and `mJ` (milli) are two variants, each with its own wire value.
    assert!(matches!(echo.energy_unit, types::EnergyUnit::MJ));
    assert_eq!(types::EnergyUnit::Mj.to_string(), "MJ");
    assert_eq!(types::EnergyUnit::MJ.to_string(), "mJ");
    assert!(matches!(echo.power_unit, types::QuirkMeasurePowerUnit::Hp));
    assert_eq!(echo.currency.as_deref(), Some("USD"));
    assert_eq!(echo.owner_id, json!("org-7"));
}

/// An optional query parameter that is an array of objects (Letta's `search` filters) has
/// no setter (the document gives it no spelling in a query string; a warning says so), and
/// the operation still works: `extra_query` sends the filters as the server reads them.
#[tokio::test]
async fn a_query_parameter_without_a_text_spelling_is_sent_by_hand() {
    let filters = r#"[{"field":"name","operator":"contains","value":"bot"}]"#;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/quirks/agents/count"))
        .and(query_param("search", filters))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(3)))
        .expect(1)
        .mount(&server)
        .await;
    let count = client(&server)
        .count_quirk_agents()
        .extra_query("search", filters)
        .send()
        .await
        .expect("the request matches the hand-written filters")
        .into_inner();
    assert_eq!(count, 3);
}

/// A union of inline objects (Letta's tool rules) is an enum of struct-like variants, each
/// field documented; a value decodes into the member it fits and encodes back unchanged.
#[test]
fn a_union_of_inline_objects_decodes_into_its_struct_like_variants() {
    let sent = json!({
        "retries": 1,
        "rules": [
            {"tool_name": "search", "max_count": 2},
            {"prompt_template": "hi {name}", "type": "greeting"}
        ]
    });
    let setting: types::QuirkSetting = serde_json::from_value(sent.clone()).expect("decodes");
    match &setting.rules[..] {
        [
            types::QuirkSettingRulesItem::Variant0 {
                tool_name,
                max_count,
                ..
            },
            types::QuirkSettingRulesItem::Variant1 {
                prompt_template,
                type_,
                ..
            },
        ] => {
            assert_eq!((tool_name.as_str(), *max_count), ("search", 2));
            assert_eq!(prompt_template, "hi {name}");
            assert_eq!(type_.as_deref(), Some("greeting"));
        }
        other => panic!("decoded into {other:?}"),
    }
    let back = serde_json::to_value(&setting).expect("encodes");
    assert_eq!(back["rules"], sent["rules"]);
}

//! Loopback HTTP tests for the model shapes of the feature corpus (`openapi/corpus/models.py`):
//! each test sends a body through the corpus client (`stackai-corpus`) to a server on
//! 127.0.0.1, which answers only if the request body is exactly the expected JSON, and
//! replies with JSON as pydantic spells it (`python3 openapi/corpus/models.py` prints
//! those spellings); the test then checks the decoded response.

use std::collections::HashMap;

use serde_json::{Value, json};
use stackai_corpus::{Client, ErrorKind, types};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("corpus-token")
        .build()
        .expect("a loopback client builds")
}

/// A server that answers `reply` to a `verb` of `route` whose body is exactly `request`
/// (and 404 to anything else), once.
async fn echo_server(verb: &str, route: &str, request: Value, reply: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .and(body_json(request))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// A server that answers `reply` to any `verb` of `route`, whatever the body.
async fn reply_server(verb: &str, route: &str, reply: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .mount(&server)
        .await;
    server
}

// 5. Tuples.

#[tokio::test]
async fn tuples_are_rust_tuples_on_the_wire_and_decoded() {
    // `bounds` is required but nullable: sent as null; `altitude_range` is optional.
    let request = json!({"coordinates": [1.5, -2.0], "label_and_rank": ["x", 3], "corners": [[0, 0], [4, 5]], "bounds": null});
    let reply = json!({"coordinates": [1.5, -2.0], "label_and_rank": ["x", 3], "corners": [[0, 0], [4, 5]],
                       "bounds": [0.0, 10.0], "altitude_range": null});
    let server = echo_server("POST", "/corpus/models/geo", request, reply).await;
    let point = client(&server)
        .echo_geo_point()
        .body_map(|b| {
            b.coordinates((1.5, -2.0))
                .label_and_rank(("x".to_string(), 3))
                .corners(Some(vec![(0, 0), (4, 5)]))
                .bounds(None)
        })
        .send()
        .await
        .expect("the server echoes the point")
        .into_inner();
    let (lat, lon): (f64, f64) = point.coordinates;
    assert_eq!((lat, lon), (1.5, -2.0));
    assert_eq!(point.label_and_rank, ("x".to_string(), 3));
    assert_eq!(point.corners, Some(vec![(0, 0), (4, 5)]));
    assert_eq!(point.bounds, Some((0.0, 10.0)));
    assert_eq!(point.altitude_range, None);
}

#[tokio::test]
async fn a_tuple_of_the_wrong_length_is_a_decode_error() {
    let server = reply_server(
        "POST",
        "/corpus/models/geo",
        json!({"coordinates": [1.0, 2.0, 3.0], "label_and_rank": ["x", 3], "bounds": null}),
    )
    .await;
    let err = client(&server)
        .echo_geo_point()
        .body_map(|b| {
            b.coordinates((1.0, 2.0))
                .label_and_rank(("x".into(), 3))
                .bounds(None)
        })
        .send()
        .await
        .expect_err("three numbers are not a (f64, f64)");
    assert_eq!(err.operation(), "echo_geo_point");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

// 6. Unions.

fn circle(radius: f64) -> types::Circle {
    types::Circle::builder()
        .kind(types::CircleKind::Circle)
        .radius(radius)
        .try_into()
        .expect("a complete circle")
}

#[tokio::test]
async fn a_discriminated_union_is_tagged_and_keeps_unknown_tags() {
    let request = json!({
        "primary": {"kind": "circle", "radius": 2.0},
        "shapes": [{"kind": "circle", "radius": 1.0}],
        "label": "north",
    });
    let triangle = json!({"kind": "triangle", "sides": [3, 4, 5]});
    let reply = json!({
        "primary": {"kind": "rectangle", "width": 2.0, "height": 3.0},
        "shapes": [{"kind": "circle", "radius": 1.0}, triangle.clone()],
        "label": 7,
        "anchor": {"coordinates": [0.5, 0.25], "label_and_rank": ["a", 1], "bounds": null},
        "attachment": {"text": "spec", "url": "https://example.com"},
        "highlight": {"kind": "circle", "radius": 9.0},
        "boxed": {"kind": "star", "points": 5},
    });
    let server = echo_server("POST", "/corpus/models/drawings", request, reply).await;
    let drawing = client(&server)
        .echo_drawing()
        .body_map(|b| {
            b.primary(types::CircleOrRectangle::from(circle(2.0)))
                .shapes(vec![types::CircleOrRectangle::from(circle(1.0))])
                .label(types::DrawingLabel::String("north".into()))
        })
        .send()
        .await
        .expect("the drawing decodes")
        .into_inner();

    let types::CircleOrRectangle::Rectangle(rect) = &drawing.primary else {
        panic!("expected a rectangle, got {:?}", drawing.primary);
    };
    assert_eq!((rect.width, rect.height), (2.0, 3.0));
    assert!(matches!(&drawing.shapes[0], types::CircleOrRectangle::Circle(c) if c.radius == 1.0));
    // A tag this crate does not know keeps its raw JSON, and is sent back unchanged.
    let types::CircleOrRectangle::Unknown(raw) = &drawing.shapes[1] else {
        panic!("expected the unknown triangle, got {:?}", drawing.shapes[1]);
    };
    assert_eq!(raw, &triangle);
    assert_eq!(serde_json::to_value(&drawing.shapes[1]).unwrap(), triangle);
    // An undiscriminated anyOf of scalars, and of models: untagged enums.
    assert!(matches!(drawing.label, types::DrawingLabel::Integer(7)));
    // Optional, and named by pydantic (a `RootModel`): the same decoding.
    assert!(
        matches!(&drawing.highlight, Some(types::CircleOrRectangle::Circle(c)) if c.radius == 9.0)
    );
    assert!(matches!(&drawing.boxed, Some(types::ShapeBox::Unknown(raw)) if raw["points"] == 5));
    // Overlapping models: the first member that fits, in the document's order.
    assert!(
        matches!(&drawing.attachment, Some(types::DrawingAttachment::Link(l)) if l.url == "https://example.com")
    );
    let note: types::DrawingAttachment =
        serde_json::from_value(json!({"text": "n", "pinned": true})).unwrap();
    assert!(matches!(note, types::DrawingAttachment::StickyNote(n) if n.pinned));
    assert!(
        matches!(&drawing.anchor, Some(types::DrawingAnchor::GeoPoint(p)) if p.coordinates == (0.5, 0.25))
    );
}

#[tokio::test]
async fn a_known_tag_with_a_body_that_does_not_fit_is_an_error_naming_the_tag() {
    let server = reply_server(
        "POST",
        "/corpus/models/drawings",
        json!({"primary": {"kind": "circle", "width": 1.0}, "shapes": [], "label": 1}),
    )
    .await;
    let err = client(&server)
        .echo_drawing()
        .body_map(|b| {
            b.primary(types::CircleOrRectangle::from(circle(1.0)))
                .shapes(vec![])
                .label(types::DrawingLabel::Integer(1))
        })
        .send()
        .await
        .expect_err("a circle without a radius");
    assert_eq!(err.kind(), ErrorKind::Decode);
    let text = err.to_string();
    assert!(
        text.contains(r#"CircleOrRectangle with `kind` "circle""#) && text.contains("radius"),
        "{text}"
    );
}

#[tokio::test]
async fn a_union_member_without_its_tag_is_an_error() {
    let server = reply_server(
        "POST",
        "/corpus/models/drawings",
        json!({"primary": {"radius": 1.0}, "shapes": [], "label": 1}),
    )
    .await;
    let err = client(&server)
        .echo_drawing()
        .body_map(|b| {
            b.primary(types::CircleOrRectangle::from(circle(1.0)))
                .shapes(vec![])
                .label(types::DrawingLabel::Integer(1))
        })
        .send()
        .await
        .expect_err("no kind");
    assert!(err.to_string().contains("the `kind` field"), "{err}");
}

#[tokio::test]
async fn a_discriminated_union_as_the_whole_body_is_the_same_enum() {
    let server = echo_server(
        "POST",
        "/corpus/models/shapes",
        json!({"kind": "circle", "radius": 3.0}),
        json!({"kind": "hexagon", "side": 1.0}),
    )
    .await;
    let shape: types::CircleOrRectangle = client(&server)
        .echo_shape()
        .body(circle(3.0))
        .send()
        .await
        .expect("an unknown shape decodes")
        .into_inner();
    assert!(matches!(&shape, types::CircleOrRectangle::Unknown(raw) if raw["kind"] == "hexagon"));
}

// 7. Recursive and mutually recursive models.

#[tokio::test]
async fn recursive_models_nest_both_ways() {
    // An empty list that defaults to empty is left out, as pydantic reads it.
    let request = json!({
        "name": "root",
        "children": [{"name": "leaf", "extra_field_kept": true}],
    });
    let reply = json!({
        "name": "root",
        "children": [{"name": "mid", "children": [{"name": "leaf", "children": [], "parent": null}], "parent": null}],
        "parent": {"name": "above", "children": [], "parent": null},
    });
    let server = echo_server("POST", "/corpus/models/trees", request, reply).await;
    let leaf: types::TreeNodeInput =
        serde_json::from_value(json!({"name": "leaf", "children": [], "extra_field_kept": true}))
            .unwrap();
    let tree = client(&server)
        .echo_tree()
        .body_map(|b| b.name("root").children(vec![leaf]))
        .send()
        .await
        .expect("the tree decodes")
        .into_inner();
    let tree: types::TreeNodeOutput = tree;
    assert_eq!(tree.children[0].children[0].name, "leaf");
    let parent: &types::TreeNodeOutput = tree.parent.as_deref().expect("a boxed parent");
    assert_eq!(parent.name, "above");
}

#[tokio::test]
async fn mutually_recursive_models_decode() {
    let reply = json!({
        "name": "inbox",
        "documents": [{"title": "a", "folder": {"name": "archive", "documents": [{"title": "b", "folder": null}]}}],
        "pinned": {"title": "p", "folder": null},
    });
    let server = echo_server(
        "POST",
        "/corpus/models/folders",
        json!({"name": "inbox"}),
        reply,
    )
    .await;
    let folder = client(&server)
        .echo_folder()
        .body_map(|b| b.name("inbox").documents(vec![]))
        .send()
        .await
        .expect("the folder decodes")
        .into_inner();
    let inner = folder.documents[0].folder.as_ref().expect("a folder");
    assert_eq!(inner.documents[0].title, "b");
    assert_eq!(
        folder.pinned.as_deref().map(|d| d.title.as_str()),
        Some("p")
    );
}

// 8. Integer enums; 9. const / Literal fields.

#[tokio::test]
async fn integer_enums_and_literals_travel_as_their_values() {
    let request = json!({"priority": 10, "schema_version": 2, "source": "corpus"});
    let reply =
        json!({"priority": 7, "fallback_priority": 1, "schema_version": 2, "source": "corpus"});
    let server = echo_server("POST", "/corpus/models/tickets", request, reply).await;
    let ticket = client(&server)
        .echo_ticket()
        .body_map(|b| {
            b.priority(types::Priority::V10)
                .source(types::TicketSource::Corpus)
        })
        .send()
        .await
        .expect("the ticket decodes")
        .into_inner();
    // A value the server adds later decodes and round-trips.
    assert_eq!(ticket.priority, types::Priority::Unknown(7));
    assert_eq!(ticket.priority.value(), 7);
    assert_eq!(serde_json::to_value(ticket.priority).unwrap(), json!(7));
    assert_eq!(ticket.fallback_priority, Some(types::Priority::V1));
    assert_eq!(types::Priority::from(5), types::Priority::V5);
    assert_eq!(ticket.schema_version, types::TicketSchemaVersion::V2);
    assert_eq!(
        types::TicketSchemaVersion::default(),
        types::TicketSchemaVersion::V2
    );
    assert!(matches!(ticket.source, types::TicketSource::Corpus));
}

#[tokio::test]
async fn integer_enums_in_the_path_and_durations_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/models/tickets/5"))
        .and(wiremock::matchers::query_param("within", "P1DT1H"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"priority": 5, "fallback_priority": null, "schema_version": 2, "source": "corpus"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let within = types::formats::Duration::from(chrono::TimeDelta::hours(25));
    let tickets = client(&server)
        .find_tickets()
        .priority(types::Priority::V5)
        .within(within)
        .send()
        .await
        .expect("the tickets decode")
        .into_inner();
    assert_eq!(tickets[0].priority, types::Priority::V5);
}

// 10. Split schemas (`Invoice-Input` / `Invoice-Output`); 12. Decimal.

#[tokio::test]
async fn split_schemas_have_input_and_output_types_and_decimals_keep_their_digits() {
    let request = json!({"number": "INV-1", "total": "10.10", "discount": null, "lines": [{"description": "a", "amount": "10.1"}]});
    // pydantic's output (`python3 openapi/corpus/models.py`), and its spelling of 1000.
    let reply = json!({"number": "INV-1", "total": "10.10", "discount": "0.5", "lines": [{"description": "a", "amount": "1E+3"}]});
    let server = echo_server("POST", "/corpus/models/invoices", request, reply).await;
    let line: types::InvoiceLineInput = types::InvoiceLineInput::builder()
        .description("a")
        .amount("10.1".parse::<types::formats::Decimal>().unwrap())
        .try_into()
        .unwrap();
    let invoice: types::InvoiceOutput = client(&server)
        .echo_invoice()
        .body_map(|b| {
            b.number("INV-1")
                .total("10.10".parse::<types::formats::Decimal>().unwrap())
                .discount(None)
                .lines(vec![line])
        })
        .send()
        .await
        .expect("the invoice decodes")
        .into_inner();
    assert_eq!(invoice.total.as_str(), "10.10");
    assert_eq!(invoice.discount.as_ref().map(|d| d.as_str()), Some("0.5"));
    assert_eq!(invoice.lines[0].amount.as_str(), "1E+3");
    assert_eq!(invoice.lines[0].amount.to_f64(), 1000.0);
    // A request model's Decimal also accepts a JSON number.
    let from_number: types::InvoiceLineInput =
        serde_json::from_value(json!({"description": "n", "amount": 2.5})).unwrap();
    assert_eq!(from_number.amount.as_str(), "2.5");
    assert!("12abc".parse::<types::formats::Decimal>().is_err());
}

// 11. pattern; 12. formats.

/// What pydantic emits for the corpus's `Contact` (see `sample_json` in models.py).
fn contact_json() -> Value {
    json!({
        "handle": "ada_l",
        "birthday": "1815-12-10",
        "wake_up": "06:30:15",
        "seen_at": "2024-05-01T12:00:00Z",
        "timeout": "P1DT2H3.5S",
        "balance": "1234.50",
        "homepage": "https://example.com/ada",
        "email": "ada@example.com",
        "ipv4": "192.168.0.1",
        "ipv6": "2001:db8::1",
        "avatar": "aGVsbG8gd29ybGQ=",
        "note": "plain text",
        "grace": null,
        "alarm": "07:00:00Z"
    })
}

#[tokio::test]
async fn formats_decode_what_pydantic_emits_and_encode_what_it_accepts() {
    // The client leaves out the optional `grace` that is null.
    let mut request = contact_json();
    request.as_object_mut().unwrap().remove("grace");
    let server = echo_server("POST", "/corpus/models/contacts", request, contact_json()).await;
    let sent: types::ContactInput = serde_json::from_value(contact_json()).unwrap();
    let contact: types::ContactOutput = client(&server)
        .echo_contact()
        .body(sent)
        .send()
        .await
        .expect("the contact decodes")
        .into_inner();
    use chrono::{Datelike, TimeDelta, Timelike};
    // `pattern` is left to the server: the field is a plain String.
    let handle: &String = &contact.handle;
    assert_eq!(handle, "ada_l");
    assert_eq!(contact.birthday.year(), 1815);
    let wake_up = contact.wake_up.time;
    assert_eq!(
        (wake_up.hour(), wake_up.minute(), wake_up.second()),
        (6, 30, 15)
    );
    assert_eq!(contact.wake_up.offset, None);
    // An aware time carries its offset; pydantic spells UTC `Z`.
    let alarm = contact.alarm.expect("an alarm");
    assert_eq!(
        (alarm.time.hour(), alarm.offset.map(|o| o.local_minus_utc())),
        (7, Some(0))
    );
    assert_eq!(alarm.to_string(), "07:00:00Z");
    assert_eq!(contact.seen_at.timestamp(), 1_714_564_800);
    assert_eq!(
        contact.timeout.as_time_delta(),
        TimeDelta::days(1) + TimeDelta::hours(2) + TimeDelta::milliseconds(3_500)
    );
    assert_eq!(contact.balance.as_str(), "1234.50");
    assert_eq!(contact.homepage.as_str(), "https://example.com/ada");
    assert_eq!(contact.email, "ada@example.com");
    assert_eq!(contact.ipv4, std::net::Ipv4Addr::new(192, 168, 0, 1));
    assert_eq!(
        contact.ipv6,
        "2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap()
    );
    assert_eq!(contact.avatar.as_bytes(), b"hello world");
    // `bytes` without base64 (`format: binary`): pydantic sends it as UTF-8 text.
    assert_eq!(contact.note, "plain text");
    assert_eq!(contact.grace, None);
}

#[test]
fn times_read_the_offsets_pydantic_emits() {
    use types::formats::Time;
    for (text, shown) in [
        ("01:02:03.000456", "01:02:03.000456"),
        ("01:02:03+02:00", "01:02:03+02:00"),
        ("23:59:59-05:30", "23:59:59-05:30"),
        ("01:02:03z", "01:02:03Z"),
    ] {
        assert_eq!(text.parse::<Time>().unwrap().to_string(), shown);
    }
    for bad in ["", "25:00:00", "01:02:03+2", "noon"] {
        assert!(bad.parse::<Time>().is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn durations_read_every_spelling_pydantic_emits() {
    use chrono::TimeDelta;
    use types::formats::Duration;
    let parse = |text: &str| text.parse::<Duration>().unwrap().as_time_delta();
    // pydantic: timedelta(days=-1, hours=1), timedelta(0), microseconds=5, days=800 + 61 min.
    assert_eq!(parse("-PT23H"), -TimeDelta::hours(23));
    assert_eq!(parse("PT0S"), TimeDelta::zero());
    assert_eq!(parse("PT0.000005S"), TimeDelta::microseconds(5));
    assert_eq!(
        parse("P2Y70DT1H1M"),
        TimeDelta::days(800) + TimeDelta::minutes(61)
    );
    assert_eq!(parse("-PT3.25S"), -TimeDelta::milliseconds(3_250));
    assert_eq!(parse("P1W"), TimeDelta::days(7));
    for bad in ["", "P", "1D", "PT", "P1H", "PT1D", "P1.5.5D", "PTxS"] {
        assert!(bad.parse::<Duration>().is_err(), "{bad:?} should not parse");
    }
    // Sent in days, hours, minutes and seconds, which pydantic reads back.
    let sent = |d: TimeDelta| Duration::from(d).to_string();
    assert_eq!(
        sent(TimeDelta::days(1) + TimeDelta::milliseconds(7_200_500)),
        "P1DT2H0.5S"
    );
    assert_eq!(sent(-TimeDelta::hours(23)), "-PT23H");
    assert_eq!(sent(TimeDelta::zero()), "PT0S");
    assert_eq!(sent(TimeDelta::days(2)), "P2D");
    // pydantic configured with `ser_json_timedelta="float"` sends seconds.
    let from_seconds: Duration = serde_json::from_value(json!(90.5)).unwrap();
    assert_eq!(
        from_seconds.as_time_delta(),
        TimeDelta::milliseconds(90_500)
    );
}

#[test]
fn base64_bytes_round_trip_in_pydantics_alphabet() {
    use types::formats::Base64Bytes;
    for (bytes, text) in [
        (&b""[..], ""),
        (b"f", "Zg=="),
        (b"fo", "Zm8="),
        (b"foo", "Zm9v"),
        (b"\xfb\xff", "+/8="),
    ] {
        assert_eq!(Base64Bytes::from(bytes).to_string(), text);
        assert_eq!(text.parse::<Base64Bytes>().unwrap().as_bytes(), bytes);
    }
    // URL-safe alphabet, missing padding and line breaks are read too.
    assert_eq!(
        "-_8".parse::<Base64Bytes>().unwrap().as_bytes(),
        b"\xfb\xff"
    );
    assert_eq!(
        "Zm9v\nYmFy".parse::<Base64Bytes>().unwrap().as_bytes(),
        b"foobar"
    );
    assert!("Zm9v!".parse::<Base64Bytes>().is_err());
    assert!("Z".parse::<Base64Bytes>().is_err());
}

// 14. additionalProperties: false.

#[tokio::test]
async fn closed_models_send_only_their_fields_and_tolerate_new_ones() {
    let server = echo_server(
        "PUT",
        "/corpus/models/settings",
        json!({"retries": 3, "verbose": true}),
        json!({"retries": 3, "verbose": true, "added_later": 1}),
    )
    .await;
    let settings = client(&server)
        .replace_settings()
        .body_map(|b| b.retries(3).verbose(true))
        .send()
        .await
        .expect("a field the server adds later does not fail decoding")
        .into_inner();
    // No `extra` map: the field the server added is not kept, nor sent back.
    let types::StrictSettings {
        retries, verbose, ..
    } = &settings;
    assert_eq!((*retries, *verbose), (3, true));
    assert_eq!(
        serde_json::to_value(settings).unwrap(),
        json!({"retries": 3, "verbose": true})
    );
}

// 16. Typed maps with list values, nullable array items.

#[tokio::test]
async fn typed_maps_with_lists_and_nullable_items() {
    let wire = json!({
        "postings": {"rust": [1, 2], "serde": []},
        "scores": [0.5, null, 1.0],
        "tags": {"a": ["x", "y"]},
    });
    let server = echo_server("POST", "/corpus/models/indexes", wire.clone(), wire).await;
    let index = client(&server)
        .echo_index()
        .body_map(|b| {
            b.postings(HashMap::from([
                ("rust".to_string(), vec![1, 2]),
                ("serde".to_string(), vec![]),
            ]))
            .scores(vec![Some(0.5), None, Some(1.0)])
            .tags(Some(HashMap::from([(
                "a".to_string(),
                vec!["x".to_string(), "y".to_string()],
            )])))
        })
        .send()
        .await
        .expect("the index decodes")
        .into_inner();
    assert_eq!(index.postings["rust"], vec![1, 2]);
    let scores: &Vec<Option<f64>> = &index.scores;
    assert_eq!(scores, &vec![Some(0.5), None, Some(1.0)]);
    assert_eq!(index.tags.as_ref().map(|t| t["a"].len()), Some(2));
}

// 10. `cargo xtask diff` names a change of a split schema by its Rust type.

#[test]
fn a_change_to_a_split_schema_is_reported_in_rust_terms() {
    use stackai_codegen::tools::spec_diff::{self, Class, Side};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let old_path = root.join("openapi/corpus/corpus.json");
    let old = Side::load(&old_path).expect("the corpus loads");
    let mut document = old.document.clone();
    let output = document
        .pointer_mut("/components/schemas/Invoice-Output")
        .expect("pydantic publishes Invoice-Output");
    output["properties"]
        .as_object_mut()
        .unwrap()
        .remove("lines");
    let new = Side {
        document,
        ..Side::load(&old_path).unwrap()
    };
    let report = spec_diff::diff(old, new).expect("the documents compare");
    let [change] = report.changes.as_slice() else {
        panic!("expected one change, got {:#?}", report.changes);
    };
    assert_eq!(change.class, Class::Breaking);
    assert_eq!(change.rust_item, "types::InvoiceOutput");
    assert_eq!(change.rust_member.as_deref(), Some("field `lines`"));
    assert_eq!(change.old_type.as_deref(), Some("Vec<InvoiceLineOutput>"));
}

#[test]
fn tuple_and_integer_enum_changes_are_reported_in_rust_terms() {
    use stackai_codegen::tools::spec_diff::{self, Class, Side};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let old_path = root.join("openapi/corpus/corpus.json");
    let old = Side::load(&old_path).expect("the corpus loads");
    let mut document = old.document.clone();
    let schemas = document.pointer_mut("/components/schemas").unwrap();
    schemas["Priority"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!(20));
    let coordinates = &mut schemas["GeoPoint"]["properties"]["coordinates"];
    coordinates["prefixItems"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "number"}));
    coordinates["minItems"] = json!(3);
    coordinates["maxItems"] = json!(3);
    let new = Side {
        document,
        ..Side::load(&old_path).unwrap()
    };
    let report = spec_diff::diff(old, new).expect("the documents compare");
    let tuple = report
        .changes
        .iter()
        .find(|c| c.rust_item == "types::GeoPoint")
        .expect("the tuple change");
    assert_eq!(tuple.class, Class::Breaking);
    assert_eq!(tuple.old_type.as_deref(), Some("(f64, f64)"));
    assert_eq!(tuple.new_type.as_deref(), Some("(f64, f64, f64)"));
    assert!(tuple.change.contains("tuple of 2"), "{}", tuple.change);
    let value = report
        .changes
        .iter()
        .find(|c| c.rust_item == "types::Priority")
        .expect("the new enum value");
    assert_eq!(value.class, Class::PossiblyBreaking);
    assert!(
        value.impact.contains("types::Priority::V20"),
        "{}",
        value.impact
    );
}

//! Dynamic `field__operator` filters on `get_paginated_connections` (issue 11, point 1), over
//! loopback HTTP: typed fields and operators, value encoding (RFC 3339 datetimes,
//! comma-joined lists), the raw escape hatches, filters on every page of `stream()`, and
//! filters that cannot be written, which fail before anything is sent.

mod support;

use chrono::{FixedOffset, TimeZone, Utc};
use futures_util::StreamExt;
use serde_json::{Value, json};
use stackai_connections::types::GetPaginatedConnectionsFilterField as Field;
use stackai_connections::{ErrorKind, Filter, FilterOp, FilterValue};
use support::{client, nth_connection, received};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// `total` connections in the offset envelope, by the request's `offset` and `limit`.
struct Envelope {
    total: usize,
}

impl Respond for Envelope {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let number = |key: &str, default: usize| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == key)
                .map_or(default, |(_, v)| v.parse().unwrap())
        };
        let (offset, limit) = (number("offset", 0), number("limit", 10));
        let data: Vec<Value> = (offset..(offset + limit).min(self.total))
            .map(nth_connection)
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "data": data, "limit": limit, "offset": offset, "total": self.total,
            "response_code": "OK", "status_code": 200
        }))
    }
}

fn pairs(request: &Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

#[tokio::test]
async fn filters_are_encoded_and_sent_with_every_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/connections"))
        .respond_with(Envelope { total: 5 })
        .mount(&server)
        .await;
    let created = Utc.with_ymd_and_hms(2025, 1, 31, 12, 0, 0).unwrap();
    let client = client(&server);
    let names: Vec<String> = client
        .get_paginated_connections()
        .limit(2)
        .filter(Field::Name, FilterOp::Icontains, "conn")
        .filter(Field::CreatedAt, FilterOp::Gte, created)
        .filter(Field::ProviderId, FilterOp::In, ["gdrive", "notion"])
        .filter(
            Field::Other("team".into()),
            FilterOp::Raw("regex".into()),
            "^a,b$",
        )
        .stream()
        .map(|c| c.expect("item").name)
        .collect()
        .await;
    assert_eq!(names, ["conn-0", "conn-1", "conn-2", "conn-3", "conn-4"]);

    let requests = received(&server).await;
    assert_eq!(requests.len(), 3, "5 items by 2: three pages");
    for (request, offset) in requests.iter().zip(["0", "2", "4"]) {
        let sent = pairs(request);
        for expected in [
            pair("offset", offset),
            pair("name__icontains", "conn"),
            pair("created_at__gte", "2025-01-31T12:00:00Z"),
            pair("provider_id__in", "gdrive,notion"),
            pair("team__regex", "^a,b$"),
        ] {
            assert!(
                sent.contains(&expected),
                "{expected:?} missing from {sent:?}"
            );
        }
    }
}

#[tokio::test]
async fn one_page_with_string_fields_and_fixed_offset_datetimes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/connections"))
        .respond_with(Envelope { total: 1 })
        .mount(&server)
        .await;
    // 14:00:00.5 at +02:00 is 12:00:00.5 UTC.
    let at = FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .with_ymd_and_hms(2025, 1, 31, 14, 0, 0)
        .unwrap()
        + chrono::Duration::milliseconds(500);
    let page = client(&server)
        .get_paginated_connections()
        .filter(Field::UpdatedAt, FilterOp::Lt, at)
        .filter(Field::OrgId, FilterOp::Nin, vec!["org-2".to_string()])
        .filter(
            Field::Name,
            FilterOp::from("eq"),
            FilterValue::raw("conn-0"),
        )
        .page()
        .await
        .expect("page");
    assert_eq!(page.items.len(), 1);
    let sent = pairs(&received(&server).await[0]);
    assert!(
        sent.contains(&pair("updated_at__lt", "2025-01-31T12:00:00.500Z")),
        "{sent:?}"
    );
    assert!(sent.contains(&pair("org_id__nin", "org-2")), "{sent:?}");
    assert!(sent.contains(&pair("name__eq", "conn-0")), "{sent:?}");
}

#[tokio::test]
async fn filters_that_cannot_be_written_fail_before_sending() {
    let server = MockServer::start().await;
    let client = client(&server);
    let comma = client
        .get_paginated_connections()
        .filter(Field::Name, FilterOp::In, ["a,b", "c"])
        .send()
        .await
        .expect_err("a list item with a comma cannot be sent");
    assert_eq!(comma.kind(), ErrorKind::InvalidRequest);
    assert!(comma.to_string().contains("name__in"), "{comma}");
    assert!(comma.to_string().contains("comma"), "{comma}");

    let list_for_eq = client
        .get_paginated_connections()
        .filter(Field::Name, FilterOp::Eq, ["a", "b"])
        .send()
        .await
        .expect_err("a list is not a value for eq");
    assert_eq!(list_for_eq.kind(), ErrorKind::InvalidRequest);
    assert!(
        list_for_eq.to_string().contains("`in` or `nin`"),
        "{list_for_eq}"
    );
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

#[test]
fn operators_round_trip_through_their_names() {
    for op in [
        FilterOp::Eq,
        FilterOp::Ne,
        FilterOp::Gt,
        FilterOp::Gte,
        FilterOp::Lt,
        FilterOp::Lte,
        FilterOp::In,
        FilterOp::Nin,
        FilterOp::Contains,
        FilterOp::Icontains,
        FilterOp::Startswith,
        FilterOp::Endswith,
        FilterOp::Isnull,
    ] {
        assert_eq!(FilterOp::from(op.as_str()), op);
    }
    assert_eq!(FilterOp::from("between"), FilterOp::Raw("between".into()));
    assert_eq!(
        Filter::new("x", FilterOp::Isnull, true).query_pair(),
        Ok(pair("x__isnull", "true"))
    );
}

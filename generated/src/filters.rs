//! Dynamic `field__operator=value` filters, for operations whose document says they take
//! them (`get_paginated_connections`: "Supports dynamic field__operator filters").
//!
//! The generator gives such an operation's request builder a `filter(field, op, value)`
//! method; everything else lives here: the operators, how values are written into the
//! query string, and adding the filters to the request.
//!
//! Encoding:
//! * the query parameter is `<field>__<operator>`, for example `name__icontains=drive`;
//! * datetimes are RFC 3339 in UTC with as many fractional digits as needed
//!   (`2025-01-31T12:00:00Z`), dates `YYYY-MM-DD`, booleans `true`/`false`;
//! * lists (for `in`/`nin`) are one parameter with the items joined by commas
//!   (`provider_id__in=gdrive,notion`); an item that itself contains a comma cannot be
//!   written that way and is an [`crate::ErrorKind::InvalidRequest`] error at `send()`.

use std::fmt;

/// A filter operator: the part of `field__operator` after the double underscore.
///
/// The API documentation does not list its operators; these are the common
/// Django/FastAPI-style names. [`FilterOp::Raw`] sends any other name as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterOp {
    /// `eq`: equal to.
    Eq,
    /// `ne`: not equal to.
    Ne,
    /// `gt`: greater than.
    Gt,
    /// `gte`: greater than or equal to.
    Gte,
    /// `lt`: less than.
    Lt,
    /// `lte`: less than or equal to.
    Lte,
    /// `in`: one of a list.
    In,
    /// `nin`: none of a list.
    Nin,
    /// `contains`: contains the text (case-sensitive).
    Contains,
    /// `icontains`: contains the text (case-insensitive).
    Icontains,
    /// `startswith`: starts with the text.
    Startswith,
    /// `endswith`: ends with the text.
    Endswith,
    /// `isnull`: is (`true`) or is not (`false`) null.
    Isnull,
    /// Any other operator name, sent as given.
    Raw(String),
}

impl FilterOp {
    /// The operator's name in the query parameter.
    pub fn as_str(&self) -> &str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Ne => "ne",
            FilterOp::Gt => "gt",
            FilterOp::Gte => "gte",
            FilterOp::Lt => "lt",
            FilterOp::Lte => "lte",
            FilterOp::In => "in",
            FilterOp::Nin => "nin",
            FilterOp::Contains => "contains",
            FilterOp::Icontains => "icontains",
            FilterOp::Startswith => "startswith",
            FilterOp::Endswith => "endswith",
            FilterOp::Isnull => "isnull",
            FilterOp::Raw(name) => name,
        }
    }

    /// Whether the operator takes a list (`in`, `nin`).
    pub fn takes_list(&self) -> bool {
        matches!(self, FilterOp::In | FilterOp::Nin)
    }
}

impl From<&str> for FilterOp {
    /// A known operator by its name, or [`FilterOp::Raw`].
    fn from(name: &str) -> Self {
        match name {
            "eq" => FilterOp::Eq,
            "ne" => FilterOp::Ne,
            "gt" => FilterOp::Gt,
            "gte" => FilterOp::Gte,
            "lt" => FilterOp::Lt,
            "lte" => FilterOp::Lte,
            "in" => FilterOp::In,
            "nin" => FilterOp::Nin,
            "contains" => FilterOp::Contains,
            "icontains" => FilterOp::Icontains,
            "startswith" => FilterOp::Startswith,
            "endswith" => FilterOp::Endswith,
            "isnull" => FilterOp::Isnull,
            other => FilterOp::Raw(other.to_string()),
        }
    }
}

impl fmt::Display for FilterOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field a filter applies to. Implemented by strings and by the field enums the generator
/// emits for operations whose document lists their filterable fields.
pub trait FilterField {
    /// The field's name in the query parameter.
    fn name(&self) -> &str;
}

impl FilterField for &str {
    fn name(&self) -> &str {
        self
    }
}

impl FilterField for String {
    fn name(&self) -> &str {
        self
    }
}

/// A filter's value, already written as it goes into the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterValue(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    One(String),
    List(Vec<String>),
}

impl FilterValue {
    /// A value written exactly as given.
    pub fn raw(text: impl Into<String>) -> Self {
        FilterValue(Repr::One(text.into()))
    }

    /// A list (for `in`/`nin`).
    pub fn list<I, V>(items: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<FilterValue>,
    {
        let mut out = Vec::new();
        for item in items {
            match item.into().0 {
                Repr::One(s) => out.push(s),
                Repr::List(l) => out.extend(l),
            }
        }
        FilterValue(Repr::List(out))
    }

    /// The text sent for operator `op`, or why it cannot be sent.
    fn encode(&self, op: &FilterOp) -> Result<String, String> {
        match &self.0 {
            Repr::One(s) => Ok(s.clone()),
            Repr::List(items) => {
                if !op.takes_list() && !matches!(op, FilterOp::Raw(_)) {
                    return Err(format!("a list is a value for `in` or `nin`, not `{op}`"));
                }
                if let Some(bad) = items.iter().find(|i| i.contains(',')) {
                    return Err(format!(
                        "the list item {bad:?} contains a comma, which separates items"
                    ));
                }
                Ok(items.join(","))
            }
        }
    }
}

macro_rules! display_values {
    ($($t:ty),*) => {$(
        impl From<$t> for FilterValue {
            fn from(value: $t) -> Self {
                FilterValue::raw(value.to_string())
            }
        }
    )*};
}
display_values!(
    &str,
    String,
    &String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    uuid::Uuid,
    chrono::NaiveDate
);

impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for FilterValue {
    /// RFC 3339 in UTC: `2025-01-31T12:00:00Z`.
    fn from(value: chrono::DateTime<Tz>) -> Self {
        FilterValue::raw(
            value
                .with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        )
    }
}

impl<V: Into<FilterValue>> From<Vec<V>> for FilterValue {
    fn from(items: Vec<V>) -> Self {
        FilterValue::list(items)
    }
}

impl<V: Into<FilterValue>, const N: usize> From<[V; N]> for FilterValue {
    fn from(items: [V; N]) -> Self {
        FilterValue::list(items)
    }
}

/// One `field__operator=value` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    field: String,
    op: FilterOp,
    value: FilterValue,
}

impl Filter {
    /// The filter `field__op=value`.
    pub fn new(field: impl FilterField, op: FilterOp, value: impl Into<FilterValue>) -> Self {
        Filter {
            field: field.name().to_string(),
            op,
            value: value.into(),
        }
    }

    /// The query parameter, name and value, or why it cannot be written.
    pub fn query_pair(&self) -> Result<(String, String), String> {
        if self.field.is_empty() {
            return Err(format!("a filter with operator `{}` has no field", self.op));
        }
        let value = self
            .value
            .encode(&self.op)
            .map_err(|e| format!("the filter `{}__{}`: {e}", self.field, self.op))?;
        Ok((format!("{}__{}", self.field, self.op), value))
    }
}

/// Adds `filters` to the query of `request`, or says why one cannot be written; used by the
/// generated `send()`, which reports it as an [`crate::ErrorKind::InvalidRequest`] error.
#[doc(hidden)]
#[allow(
    dead_code,
    reason = "called only by the generated code of operations with filters"
)]
pub fn apply(
    request: reqwest::RequestBuilder,
    filters: &[Filter],
) -> Result<reqwest::RequestBuilder, String> {
    if filters.is_empty() {
        return Ok(request);
    }
    let pairs = filters
        .iter()
        .map(Filter::query_pair)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(request.query(&pairs))
}

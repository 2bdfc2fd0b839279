//! Stage 4c: the Rust shapes typify cannot express (see `crate::rust_shapes`). Every use
//! of a placeholder type becomes the real type, and the helper types the code then needs
//! are emitted into `types::formats`, only those used:
//!
//! | placeholder | Rust type |
//! | --- | --- |
//! | `Tuple<A, B>` | `(A, B)` |
//! | `Nullable<T>` | `Option<T>` (`Option<Nullable<T>>` is one `Option<T>`) |
//! | `Time` | `types::formats::Time` (a `chrono::NaiveTime` and the UTC offset, if sent) |
//! | `Decimal` | `types::formats::Decimal` (the exact digits, as text) |
//! | `Duration` | `types::formats::Duration` (ISO 8601 on the wire, a `chrono::TimeDelta`) |
//! | `Base64` | `types::formats::Base64Bytes` (standard base64 on the wire, bytes in Rust) |

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;

use crate::rust_shapes::{CRATE, Shape};
use crate::syntax::module_named_mut;

/// Replaces the placeholders in `file` (either half of the tree) and returns the shapes
/// whose helpers the code then needs ([`add_helpers`]). Returns an error message if a
/// placeholder survives (a generator bug, reported rather than compiled).
pub fn replace(file: &mut syn::File) -> Result<BTreeSet<&'static str>, String> {
    let mut replacer = Replacer::default();
    replacer.visit_file_mut(file);
    if let Some(error) = replacer.error {
        return Err(error);
    }
    let text = quote!(#file).to_string();
    if let Some(at) = text.find(CRATE) {
        let context: String = text[at.saturating_sub(120)..].chars().take(240).collect();
        return Err(format!(
            "a placeholder type of `{CRATE}` survived in the generated code (in `{context}`); this is a generator bug"
        ));
    }
    Ok(replacer.used)
}

/// Emits into `types` the helpers of the shapes `used` anywhere in the tree.
pub fn add_helpers(file: &mut syn::File, used: &BTreeSet<&'static str>) -> Result<(), String> {
    if used.is_empty() {
        return Ok(());
    }
    let helpers = helpers(used);
    let types = module_named_mut(file, "types")
        .ok_or("formats are used but the generated code has no `types` module")?;
    types.push(syn::parse_quote! {
        /// Types for the string formats that have no type in `std`, `chrono` or `uuid`.
        pub mod formats {
            #helpers
        }
    });
    Ok(())
}

#[derive(Default)]
struct Replacer {
    used: BTreeSet<&'static str>,
    error: Option<String>,
}

impl Replacer {
    /// The shape and type arguments of a placeholder type, if `ty` is one.
    fn placeholder(ty: &syn::Type) -> Option<(Shape, Vec<syn::Type>)> {
        let syn::Type::Path(p) = ty else { return None };
        let segments: Vec<_> = p.path.segments.iter().collect();
        if segments.len() != 2 || segments[0].ident != CRATE {
            return None;
        }
        let shape = Shape::from_name(&segments[1].ident.to_string())?;
        let args = match &segments[1].arguments {
            syn::PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter_map(|a| match a {
                    syn::GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Some((shape, args))
    }
}

impl VisitMut for Replacer {
    /// progenitor names types in messages too (`"conversion to `T` for x failed"`): each
    /// backquoted type there is replaced like the code's.
    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        let text = lit.value();
        if !text.contains(CRATE) {
            return;
        }
        let mut out = String::new();
        for (i, part) in text.split('`').enumerate() {
            if i > 0 {
                out.push('`');
            }
            match syn::parse_str::<syn::Type>(part) {
                Ok(mut ty) if i % 2 == 1 && part.contains(CRATE) => {
                    self.visit_type_mut(&mut ty);
                    out.push_str(&quote!(#ty).to_string());
                }
                _ => out.push_str(part),
            }
        }
        *lit = syn::LitStr::new(&out, lit.span());
    }

    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        // `Option<Nullable<T>>` (an optional field or parameter whose schema is a nullable
        // marker) is one `Option<T>`.
        if let syn::Type::Path(p) = ty
            && let Some(last) = p.path.segments.last_mut()
            && last.ident == "Option"
            && let syn::PathArguments::AngleBracketed(args) = &mut last.arguments
            && let Some(syn::GenericArgument::Type(inner)) = args.args.first_mut()
            && let Some((Shape::Nullable, mut nullable_args)) = Self::placeholder(inner)
            && nullable_args.len() == 1
        {
            *inner = nullable_args.remove(0);
        }
        // Inner types first, so that a tuple of tuples comes out whole.
        syn::visit_mut::visit_type_mut(self, ty);
        let Some((shape, args)) = Self::placeholder(ty) else {
            return;
        };
        *ty = match shape {
            // typify names a marker without its parameters where it parses a default
            // (`serde_json::from_str::<Tuple>("[1, 9]")`, docling's page ranges): the
            // type there is the function's return type, which Rust infers.
            Shape::Tuple | Shape::Nullable if args.is_empty() => syn::parse_quote!(_),
            // `(A,)` needs its comma; `(A, B)` reads better without a trailing one.
            Shape::Tuple if args.len() == 1 => syn::parse_quote!((#(#args,)*)),
            Shape::Tuple => syn::parse_quote!((#(#args),*)),
            Shape::Nullable => match args.as_slice() {
                [inner] => syn::parse_quote!(::std::option::Option<#inner>),
                _ => {
                    self.error = Some("a nullable placeholder needs one type argument".into());
                    return;
                }
            },
            Shape::Time => {
                self.used.insert("Time");
                syn::parse_quote!(crate::types::formats::Time)
            }
            Shape::Decimal => {
                self.used.insert("Decimal");
                syn::parse_quote!(crate::types::formats::Decimal)
            }
            Shape::Duration => {
                self.used.insert("Duration");
                syn::parse_quote!(crate::types::formats::Duration)
            }
            Shape::Base64 => {
                self.used.insert("Base64Bytes");
                syn::parse_quote!(crate::types::formats::Base64Bytes)
            }
        };
    }
}

fn helpers(used: &BTreeSet<&'static str>) -> TokenStream {
    let mut out = format_error();
    if used.contains("Decimal") {
        out.extend(decimal());
    }
    if used.contains("Duration") {
        out.extend(duration());
    }
    if used.contains("Base64Bytes") {
        out.extend(base64());
    }
    if used.contains("Time") {
        out.extend(time());
    }
    out
}

/// An error of the helpers' conversions from text.
fn format_error() -> TokenStream {
    quote! {
        /// A value that is not valid text for its format.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct FormatError {
            format: &'static str,
            value: ::std::string::String,
        }

        impl ::std::fmt::Display for FormatError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{:?} is not a valid {}", self.value, self.format)
            }
        }

        impl ::std::error::Error for FormatError {}

        fn invalid(format: &'static str, value: &str) -> FormatError {
            FormatError { format, value: value.chars().take(64).collect() }
        }
    }
}

fn decimal() -> TokenStream {
    quote! {
        /// A decimal number, kept as the exact text the server sent (pydantic's `Decimal`,
        /// which it sends as a string such as `"1234.50"` or `"1E+3"`). No digit is lost to
        /// floating point; convert with `str::parse` into the decimal type of your choice.
        /// It is sent as a string, which pydantic accepts.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct Decimal(::std::string::String);

        impl Decimal {
            /// The decimal's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The nearest `f64` (lossy).
            pub fn to_f64(&self) -> f64 {
                self.0.parse().unwrap_or(f64::NAN)
            }
        }

        impl ::std::str::FromStr for Decimal {
            type Err = FormatError;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                let body = text.strip_prefix(['+', '-']).unwrap_or(text);
                let (mantissa, exponent) = match body.find(['e', 'E']) {
                    Some(at) => (&body[..at], Some(&body[at + 1..])),
                    None => (body, None),
                };
                let digits = mantissa.chars().filter(char::is_ascii_digit).count();
                let mantissa_ok = digits > 0
                    && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && mantissa.matches('.').count() <= 1;
                let exponent_ok = exponent.is_none_or(|e| {
                    let e = e.strip_prefix(['+', '-']).unwrap_or(e);
                    !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
                });
                if mantissa_ok && exponent_ok {
                    Ok(Decimal(text.to_string()))
                } else {
                    Err(invalid("decimal number", text))
                }
            }
        }

        impl ::std::fmt::Display for Decimal {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::From<i64> for Decimal {
            fn from(value: i64) -> Self {
                Decimal(value.to_string())
            }
        }

        impl ::serde::Serialize for Decimal {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Decimal {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // A request model's schema also allows a JSON number.
                match ::serde_json::Value::deserialize(deserializer)? {
                    ::serde_json::Value::String(text) => text.parse().map_err(::serde::de::Error::custom),
                    ::serde_json::Value::Number(n) => Ok(Decimal(n.to_string())),
                    other => Err(::serde::de::Error::custom(format!("expected a decimal number, found {other}"))),
                }
            }
        }
    }
}

fn duration() -> TokenStream {
    quote! {
        /// A signed length of time (pydantic's `timedelta`), sent as ISO 8601 text such as
        /// `"P1DT2H3.5S"` or `"-PT23H"`. pydantic counts a year (`Y`) as 365 days and a
        /// month (`M` before `T`) as 30; weeks (`W`) are 7 days.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct Duration(pub ::chrono::TimeDelta);

        impl Duration {
            /// The length of time.
            pub fn as_time_delta(&self) -> ::chrono::TimeDelta {
                self.0
            }
        }

        impl ::std::convert::From<::chrono::TimeDelta> for Duration {
            fn from(value: ::chrono::TimeDelta) -> Self {
                Duration(value)
            }
        }

        impl ::std::convert::From<::std::time::Duration> for Duration {
            fn from(value: ::std::time::Duration) -> Self {
                Duration(::chrono::TimeDelta::from_std(value).unwrap_or(::chrono::TimeDelta::MAX))
            }
        }

        impl ::std::str::FromStr for Duration {
            type Err = FormatError;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                let fail = || invalid("ISO 8601 duration", text);
                let (negative, rest) = match text.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, text.strip_prefix('+').unwrap_or(text)),
                };
                let rest = rest.strip_prefix(['P', 'p']).ok_or_else(fail)?;
                let (date, time) = match rest.find(['T', 't']) {
                    Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                    None => (rest, None),
                };
                if date.is_empty() && time.is_none_or(str::is_empty) {
                    return Err(fail());
                }
                let mut nanos: i128 = 0;
                for (part, units) in [
                    (date, &[('Y', 365 * 86_400), ('M', 30 * 86_400), ('W', 7 * 86_400), ('D', 86_400)][..]),
                    (time.unwrap_or(""), &[('H', 3_600), ('M', 60), ('S', 1)][..]),
                ] {
                    let mut number = ::std::string::String::new();
                    let mut next_unit = 0;
                    for c in part.chars() {
                        if c.is_ascii_digit() || c == '.' || c == ',' {
                            number.push(if c == ',' { '.' } else { c });
                            continue;
                        }
                        let c = c.to_ascii_uppercase();
                        let at = units[next_unit..].iter().position(|(u, _)| *u == c).ok_or_else(fail)?;
                        let seconds_per_unit = units[next_unit + at].1;
                        next_unit += at + 1;
                        let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
                        if whole.is_empty() && fraction.is_empty() {
                            return Err(fail());
                        }
                        let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| fail())? };
                        let mut frac_nanos: i128 = 0;
                        for (i, d) in fraction.chars().take(9).enumerate() {
                            let d = d.to_digit(10).ok_or_else(fail)? as i128;
                            frac_nanos += d * 10_i128.pow(8 - i as u32);
                        }
                        nanos += (whole * 1_000_000_000 + frac_nanos) * seconds_per_unit;
                        number.clear();
                    }
                    if !number.is_empty() {
                        return Err(fail());
                    }
                }
                let nanos = if negative { -nanos } else { nanos };
                let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| fail())?;
                let sub = nanos.rem_euclid(1_000_000_000) as u32;
                ::chrono::TimeDelta::new(seconds, sub).map(Duration).ok_or_else(fail)
            }
        }

        impl ::std::fmt::Display for Duration {
            /// ISO 8601 in days, hours, minutes and seconds: `P1DT2H3.5S`, `-PT23H`, `PT0S`.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let total = self.0;
                let magnitude = total.abs();
                if total < ::chrono::TimeDelta::zero() {
                    f.write_str("-")?;
                }
                let seconds = magnitude.num_seconds();
                let nanos = magnitude.subsec_nanos();
                let (days, hours, minutes, secs) =
                    (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60, seconds % 60);
                f.write_str("P")?;
                if days > 0 {
                    write!(f, "{days}D")?;
                }
                if hours == 0 && minutes == 0 && secs == 0 && nanos == 0 {
                    return if days == 0 { f.write_str("T0S") } else { Ok(()) };
                }
                f.write_str("T")?;
                if hours > 0 {
                    write!(f, "{hours}H")?;
                }
                if minutes > 0 {
                    write!(f, "{minutes}M")?;
                }
                if secs > 0 || nanos > 0 {
                    if nanos > 0 {
                        let fraction = format!("{nanos:09}");
                        write!(f, "{secs}.{}S", fraction.trim_end_matches('0'))?;
                    } else {
                        write!(f, "{secs}S")?;
                    }
                }
                Ok(())
            }
        }

        impl ::serde::Serialize for Duration {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Duration {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // pydantic configured with `ser_json_timedelta="float"` sends seconds.
                match ::serde_json::Value::deserialize(deserializer)? {
                    ::serde_json::Value::String(text) => text.parse().map_err(::serde::de::Error::custom),
                    ::serde_json::Value::Number(n) => {
                        let seconds = n.as_f64().unwrap_or(f64::NAN);
                        let nanos = (seconds * 1e9).round();
                        if !nanos.is_finite() || nanos.abs() > 9.0e18 {
                            return Err(::serde::de::Error::custom(format!("{n} seconds is not a valid duration")));
                        }
                        Ok(Duration(::chrono::TimeDelta::nanoseconds(nanos as i64)))
                    }
                    other => Err(::serde::de::Error::custom(format!("expected an ISO 8601 duration, found {other}"))),
                }
            }
        }
    }
}

fn base64() -> TokenStream {
    quote! {
        /// Bytes sent as base64 text (`format: byte`, pydantic's `Base64Bytes`). Sent in the
        /// standard alphabet with padding, as pydantic does; the URL-safe alphabet, missing
        /// padding and line breaks are accepted too.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
        pub struct Base64Bytes(pub ::std::vec::Vec<u8>);

        impl Base64Bytes {
            /// The bytes.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl ::std::convert::From<::std::vec::Vec<u8>> for Base64Bytes {
            fn from(value: ::std::vec::Vec<u8>) -> Self {
                Base64Bytes(value)
            }
        }

        impl ::std::convert::From<&[u8]> for Base64Bytes {
            fn from(value: &[u8]) -> Self {
                Base64Bytes(value.to_vec())
            }
        }

        const BASE64_ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        impl ::std::fmt::Display for Base64Bytes {
            /// The standard base64 text, with padding.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut text = ::std::string::String::with_capacity(self.0.len().div_ceil(3) * 4);
                for chunk in self.0.chunks(3) {
                    let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
                    let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
                    for i in 0..4 {
                        if i <= chunk.len() {
                            text.push(BASE64_ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                        } else {
                            text.push('=');
                        }
                    }
                }
                f.write_str(&text)
            }
        }

        impl ::std::str::FromStr for Base64Bytes {
            type Err = FormatError;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                let mut out = ::std::vec::Vec::with_capacity(text.len() / 4 * 3);
                let (mut acc, mut bits) = (0u32, 0u32);
                let mut padding = false;
                for c in text.bytes() {
                    let value = match c {
                        b'A'..=b'Z' => c - b'A',
                        b'a'..=b'z' => c - b'a' + 26,
                        b'0'..=b'9' => c - b'0' + 52,
                        b'+' | b'-' => 62,
                        b'/' | b'_' => 63,
                        b'=' => {
                            padding = true;
                            continue;
                        }
                        b'\n' | b'\r' => continue,
                        _ => return Err(invalid("base64 text", text)),
                    };
                    if padding {
                        return Err(invalid("base64 text", text));
                    }
                    acc = (acc << 6) | u32::from(value);
                    bits += 6;
                    if bits >= 8 {
                        bits -= 8;
                        out.push((acc >> bits) as u8);
                        acc &= (1 << bits) - 1;
                    }
                }
                if bits >= 6 {
                    return Err(invalid("base64 text", text));
                }
                Ok(Base64Bytes(out))
            }
        }

        impl ::serde::Serialize for Base64Bytes {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Base64Bytes {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    }
}

fn time() -> TokenStream {
    quote! {
        /// A time of day (`format: time`, pydantic's `datetime.time`): `"06:30:15"`, or with
        /// its UTC offset when the time is aware (`"07:00:00Z"`, `"07:00:00+02:00"`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct Time {
            /// The time of day.
            pub time: ::chrono::NaiveTime,
            /// The offset from UTC, when the value carries one.
            pub offset: ::std::option::Option<::chrono::FixedOffset>,
        }

        impl ::std::convert::From<::chrono::NaiveTime> for Time {
            fn from(time: ::chrono::NaiveTime) -> Self {
                Time { time, offset: None }
            }
        }

        impl ::std::str::FromStr for Time {
            type Err = FormatError;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                let fail = || invalid("time", text);
                // The offset starts at `Z`, `+` or `-`, after `HH:MM`.
                let split = text
                    .char_indices()
                    .skip(5)
                    .find(|(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
                    .map_or(text.len(), |(i, _)| i);
                let (clock, zone) = text.split_at(split);
                let time = ::chrono::NaiveTime::parse_from_str(clock, "%H:%M:%S%.f")
                    .or_else(|_| ::chrono::NaiveTime::parse_from_str(clock, "%H:%M"))
                    .map_err(|_| fail())?;
                let offset = match zone {
                    "" => None,
                    "Z" | "z" => ::chrono::FixedOffset::east_opt(0),
                    _ => {
                        let sign = if zone.starts_with('-') { -1 } else { 1 };
                        let digits: ::std::string::String =
                            zone[1..].chars().filter(|c| *c != ':').collect();
                        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
                            return Err(fail());
                        }
                        let hours: i32 = digits[..2].parse().map_err(|_| fail())?;
                        let minutes: i32 = digits[2..].parse().map_err(|_| fail())?;
                        Some(
                            ::chrono::FixedOffset::east_opt(sign * (hours * 3_600 + minutes * 60))
                                .ok_or_else(fail)?,
                        )
                    }
                };
                Ok(Time { time, offset })
            }
        }

        impl ::std::fmt::Display for Time {
            /// `HH:MM:SS[.ffffff]`, then `Z` or `±HH:MM` when there is an offset.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.time)?;
                match self.offset {
                    None => Ok(()),
                    Some(offset) if offset.local_minus_utc() == 0 => f.write_str("Z"),
                    Some(offset) => write!(f, "{offset}"),
                }
            }
        }

        impl ::serde::Serialize for Time {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Time {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    }
}

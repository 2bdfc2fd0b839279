//! `generated/CHANGELOG.md`: its entries, the release each one records, and new ones.
//!
//! An entry starts at a `## X.Y.Z - YYYY-MM-DD` heading. A released entry holds the line
//! ``Released from commit `<sha>`.``: the commit whose crate the release is (the entry and
//! the version bump are committed on top of it, so the commit cannot name itself). The
//! newest entry with such a line is the last release; tags may not travel with a clone, the
//! changelog does.

use stackai_codegen::tools::spec_diff::Version;

const RECORD: &str = "Released from commit";

/// One `## ` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub version: Option<Version>,
    /// The commit it records, if released.
    pub commit: Option<String>,
    /// Byte offset of its heading in the file.
    pub start: usize,
}

/// The entries, newest (topmost) first.
pub(crate) fn entries(text: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(heading) = line.strip_prefix("## ") {
            let version = heading
                .split_whitespace()
                .next()
                .and_then(|v| Version::parse(v.trim_start_matches('[').trim_end_matches(']')));
            out.push(Entry {
                version,
                commit: None,
                start: offset,
            });
        } else if let (Some(entry), Some(at)) = (out.last_mut(), line.find(RECORD)) {
            let sha: String = line[at + RECORD.len()..]
                .trim_start_matches([' ', '`'])
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            if sha.len() >= 7 && entry.commit.is_none() {
                entry.commit = Some(sha);
            }
        }
        offset += line.len();
    }
    out
}

/// The last release: the newest entry that records its commit.
pub(crate) fn last_release(text: &str) -> Option<(Version, String)> {
    entries(text)
        .into_iter()
        .find_map(|e| Some((e.version?, e.commit?)))
}

/// The line that records a release's commit.
pub(crate) fn record_line(sha: &str) -> String {
    format!("{RECORD} `{sha}`.")
}

/// `text` with `entry` (a whole `## ` section, ending in a newline) before the first entry.
pub(crate) fn insert(text: &str, entry: &str) -> String {
    let at = entries(text).first().map_or(text.len(), |e| e.start);
    let (before, after) = text.split_at(at);
    let mut out = before.to_string();
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(entry);
    if !after.is_empty() {
        out.push('\n');
    }
    out.push_str(after);
    out
}

/// `text` with the release line added below the heading of the entry at `start`.
pub(crate) fn record(text: &str, start: usize, sha: &str) -> String {
    let heading_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    format!(
        "{}\n{}\n{}",
        &text[..heading_end],
        record_line(sha),
        &text[heading_end..]
    )
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Changelog\n\nPreamble.\n\n## 0.3.0 - 2026-12-05\n\nNot released yet.\n\n## 0.2.0 - 2026-12-03\n\nReleased from commit `0123456789abcdef0123456789abcdef01234567`.\n\n### Added\n- x\n\n## 0.1.0 - 2026-11-01\n\nReleased from commit `fedcba9`.\n";

    #[test]
    fn finds_the_last_recorded_release() {
        let found = entries(TEXT);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].commit, None);
        assert_eq!(
            last_release(TEXT),
            Some((
                Version::parse("0.2.0").unwrap(),
                "0123456789abcdef0123456789abcdef01234567".to_string()
            ))
        );
        assert_eq!(last_release("# Changelog\n\n## 0.1.0 - x\n"), None);
    }

    #[test]
    fn inserts_and_records() {
        let text = insert(TEXT, "## 0.4.0 - 2026-12-06\n\nNew.\n");
        assert!(
            text.starts_with(
                "# Changelog\n\nPreamble.\n\n## 0.4.0 - 2026-12-06\n\nNew.\n\n## 0.3.0"
            ),
            "{text}"
        );
        let recorded = record(TEXT, entries(TEXT)[0].start, "abcdef1");
        assert!(
            recorded.contains(
                "## 0.3.0 - 2026-12-05\n\nReleased from commit `abcdef1`.\n\nNot released yet."
            ),
            "{recorded}"
        );
        assert_eq!(last_release(&recorded).unwrap().1, "abcdef1");
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_790), "2026-12-03");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}

//! The breaking-change report: what changes between two versions of the document, and what
//! each change means for a user of the generated crate.
//!
//! Both documents are normalized first (3.1 → 3.0.3, operationIds → method names) and the
//! overrides applied, so a change of spelling that the generator does not see is not a
//! change, and names are the Rust names. Each side is also run through progenitor to learn
//! the exact Rust types; a change is then classified:
//!
//! - **breaking**: code that compiled and worked may no longer compile, or may fail at run
//!   time: a removed or renamed operation, parameter, field, type or enum value; a new
//!   required parameter, body or request field; a changed type or format; a response field
//!   made optional or nullable; a changed path, HTTP method or parameter location; and any
//!   change that alters the Rust type of something a user writes or reads.
//! - **possibly breaking**: breaks some uses: a new enum value in a response (exhaustive
//!   `match`es), a changed default, a tightened limit on a request (or loosened on a
//!   response), a new optional field in a request model (struct literals), changed security
//!   or servers, and anything not compared in detail.
//! - **compatible**: a new operation, optional parameter, response field, type or request
//!   enum value; documentation (descriptions, examples, deprecation).
//!
//! Whether a schema travels in requests, responses or both is worked out by following
//! `$ref`s from the operations, on both sides; a model nothing uses counts as both.

mod compare;
mod rust;

use std::fmt::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use crate::Error;
use crate::tools::import::{Overrides, normalize_with_overrides};

/// How a change affects users of the generated crate, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Breaking,
    PossiblyBreaking,
    Compatible,
}

impl Class {
    /// `breaking`, `possibly-breaking`, `compatible`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::PossiblyBreaking => "possibly-breaking",
            Class::Compatible => "compatible",
        }
    }

    /// Parses [`Class::as_str`]'s spelling.
    pub fn parse(text: &str) -> Option<Class> {
        [Class::Breaking, Class::PossiblyBreaking, Class::Compatible]
            .into_iter()
            .find(|c| c.as_str() == text)
    }

    fn title(self) -> &'static str {
        match self {
            Class::Breaking => "Breaking",
            Class::PossiblyBreaking => "Possibly breaking",
            Class::Compatible => "Compatible",
        }
    }
}

/// One change between the documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    /// A stable identifier of the rule, e.g. `parameter-removed`, `enum-value-added`.
    pub kind: String,
    /// Where in the API, in words: "`GET /things` query parameter `limit`".
    pub api: String,
    /// A JSON pointer into the normalized document (the old one for removals).
    pub pointer: String,
    /// What changed.
    pub change: String,
    /// The Rust item concerned: `Client::method`, `types::Model` or `crate`.
    pub rust_item: String,
    /// The member of the item: "parameter `limit`", "field `name`", "body", ...
    pub rust_member: Option<String>,
    /// The member's (or item's) Rust type before and after, where known.
    pub old_type: Option<String>,
    pub new_type: Option<String>,
    /// What it means for code using the crate.
    pub impact: String,
}

/// One document to compare.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    /// Where it came from, for messages.
    pub path: &'a Path,
    /// The document as read (any supported version and spelling).
    pub document: Value,
    /// The overrides the project applies to it.
    pub overrides: Overrides,
}

impl<'a> Side<'a> {
    /// The document at `path`, with the `overrides.json` beside it, if any.
    pub fn load(path: &'a Path) -> Result<Side<'a>, Error> {
        Ok(Side {
            path,
            document: crate::load::load(path)?,
            overrides: Overrides::load_beside(path)?,
        })
    }
}

/// The changes between two documents.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Most severe first; within a class, in document order.
    pub changes: Vec<Change>,
    /// Caveats about the comparison (e.g. a side whose Rust types are unknown).
    pub notes: Vec<String>,
    /// Why a side does not generate, when one does not: the located error of the pipeline.
    /// The report is still made from the documents, but `cargo xtask diff` fails.
    pub generation_errors: Vec<Error>,
}

/// Compares two documents.
pub fn diff(old: Side<'_>, new: Side<'_>) -> Result<Report, Error> {
    let mut notes = Vec::new();
    let mut generation_errors = Vec::new();
    let old_doc = normalize_with_overrides(old.path, old.document, &old.overrides)?.document;
    let new_doc = normalize_with_overrides(new.path, new.document, &new.overrides)?.document;
    let mut view = |path: &Path, doc: &Value, notes: &mut Vec<String>| {
        let files = crate::run_on_value(path, "", doc.clone()).map(|o| o.files);
        if let Err(e) = &files {
            generation_errors.push(e.clone());
        }
        match files
            .map_err(|e| e.to_string())
            .and_then(|f| rust::RustView::from_files(&f))
        {
            Ok(view) => Some(view),
            Err(e) => {
                notes.push(format!(
                    "the Rust types of {} are unknown, so its changes are judged on the document alone: {e}",
                    path.display()
                ));
                None
            }
        }
    };
    let old_view = view(old.path, &old_doc, &mut notes);
    let new_view = view(new.path, &new_doc, &mut notes);
    let mut changes = compare::Cmp::new(
        compare::Doc {
            value: &old_doc,
            rust: old_view.as_ref(),
        },
        compare::Doc {
            value: &new_doc,
            rust: new_view.as_ref(),
        },
    )
    .run();
    changes.sort_by_key(|c| c.class);
    Ok(Report {
        changes,
        notes,
        generation_errors,
    })
}

/// Compares the documents at two paths, each with the `overrides.json` beside it.
pub fn diff_files(old: &Path, new: &Path) -> Result<Report, Error> {
    diff(Side::load(old)?, Side::load(new)?)
}

/// A `major.minor.patch` version (pre-release and build suffixes are ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let core = text.trim().split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let v = Version {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(v)
    }
}

impl Version {
    /// The version after a release of this kind: the bumped component goes up by one and
    /// those right of it go to zero.
    pub fn bumped(self, bump: Bump) -> Version {
        match bump {
            Bump::None => self,
            Bump::Patch => Version {
                patch: self.patch + 1,
                ..self
            },
            Bump::Minor => Version {
                minor: self.minor + 1,
                patch: 0,
                ..self
            },
            Bump::Major => Version {
                major: self.major + 1,
                minor: 0,
                patch: 0,
            },
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Which part of the version a release must bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

/// The release the changes need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Semver {
    pub current: Version,
    pub bump: Bump,
    pub next: Version,
    /// Why, in a sentence.
    pub reason: String,
}

/// The convention applied, for the report.
pub const SEMVER_CONVENTION: &str = "Cargo's SemVer rules: before 1.0.0 the left-most non-zero \
    component is the major one, so for 0.x.y a breaking change bumps the minor version \
    (0.1.3 → 0.2.0) and everything else the patch version (0.1.3 → 0.1.4); from 1.0.0, \
    breaking → major, additions → minor, the rest → patch. Possibly breaking changes count as \
    breaking: a new enum variant breaks exhaustive `match`es, which Cargo's SemVer guide calls \
    a major change.";

/// Kinds of compatible change that add API (a minor bump from 1.0.0 on).
const ADDITIONS: [&str; 7] = [
    "operation-added",
    "parameter-added",
    "property-added",
    "type-added",
    "enum-value-added",
    "request-body-added",
    "parameter-became-optional",
];

impl Report {
    /// The most severe class of change, if anything changed.
    pub fn highest(&self) -> Option<Class> {
        self.changes.iter().map(|c| c.class).min()
    }

    /// Whether any change is at least as severe as `threshold`.
    pub fn has_at_least(&self, threshold: Class) -> bool {
        self.highest().is_some_and(|h| h <= threshold)
    }

    /// How many changes of each class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// The release these changes need, from `current` (see [`SEMVER_CONVENTION`]).
    pub fn semver(&self, current: Version) -> Semver {
        let additive = self
            .changes
            .iter()
            .any(|c| ADDITIONS.contains(&c.kind.as_str()));
        let (bump, reason) = match self.highest() {
            None => (Bump::None, "nothing in the API changed".to_string()),
            Some(Class::Breaking | Class::PossiblyBreaking) => (
                if current.major == 0 && current.minor == 0 {
                    Bump::Patch
                } else if current.major == 0 {
                    Bump::Minor
                } else {
                    Bump::Major
                },
                "there are breaking or possibly breaking changes".to_string(),
            ),
            Some(Class::Compatible) => (
                if additive && current.major > 0 {
                    Bump::Minor
                } else {
                    Bump::Patch
                },
                if additive {
                    "the changes only add to the API".to_string()
                } else {
                    "the changes only touch documentation".to_string()
                },
            ),
        };
        let next = current.bumped(bump);
        let reason = if current.major == 0 && current.minor == 0 && bump != Bump::None {
            format!("{reason}; every 0.0.x release is incompatible with the previous one")
        } else {
            reason
        };
        Semver {
            current,
            bump,
            next,
            reason,
        }
    }

    /// The report as Markdown for a reviewer.
    pub fn markdown(&self, options: &RenderOptions<'_>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# API changes: `{}` → `{}`\n",
            options.old_label, options.new_label
        );
        let _ = writeln!(
            out,
            "Both documents are compared as the generator reads them (normalized to OpenAPI 3.0.3, \
             method names from operationIds, overrides applied), with the Rust names and types of \
             the `{}` crate generated from each.\n",
            options.crate_name
        );
        let summary = if self.changes.is_empty() {
            "No changes.".to_string()
        } else {
            format!(
                "**{} breaking, {} possibly breaking, {} compatible** change{}.",
                self.count(Class::Breaking),
                self.count(Class::PossiblyBreaking),
                self.count(Class::Compatible),
                if self.changes.len() == 1 { "" } else { "s" }
            )
        };
        let _ = writeln!(out, "{summary}\n");
        for note in &self.notes {
            let _ = writeln!(out, "> **Note:** {note}\n");
        }
        for class in [Class::Breaking, Class::PossiblyBreaking, Class::Compatible] {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.class == class).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "## {} ({})\n", class.title(), changes.len());
            for c in changes {
                let target = match &c.rust_member {
                    Some(member) => format!("`{}`, {member}", c.rust_item),
                    None => format!("`{}`", c.rust_item),
                };
                let _ = writeln!(out, "- **{target}**: {}.", md_escape(&c.change));
                let _ = writeln!(out, "  - Rust: {}.", md_escape(&c.impact));
                match (&c.old_type, &c.new_type) {
                    (Some(a), Some(b)) if a == b => {
                        if c.class != Class::Compatible {
                            let _ = writeln!(out, "  - Type: `{a}` (unchanged)");
                        }
                    }
                    (Some(a), Some(b)) => {
                        let _ = writeln!(out, "  - Type: `{a}` → `{b}`");
                    }
                    (Some(a), None) => {
                        let _ = writeln!(out, "  - Type: `{a}` → (gone)");
                    }
                    (None, Some(b)) => {
                        let _ = writeln!(out, "  - Type: (new) `{b}`");
                    }
                    (None, None) => {}
                }
                let pointer = if c.pointer.is_empty() {
                    "/"
                } else {
                    &c.pointer
                };
                let _ = writeln!(
                    out,
                    "  - Where: {} (`{}`; rule `{}`)",
                    md_escape(&c.api),
                    pointer,
                    c.kind
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "## Semver\n");
        match options.version {
            Some(current) => {
                let s = self.semver(current);
                let verdict = match s.bump {
                    Bump::None => {
                        format!("No release is needed for the API: `{}` stays.", s.current)
                    }
                    bump => format!(
                        "`{}` needs a **{}** bump: {} → **{}** ({}).",
                        options.crate_name,
                        match bump {
                            Bump::Major => "major",
                            Bump::Minor => "minor",
                            _ => "patch",
                        },
                        s.current,
                        s.next,
                        s.reason
                    ),
                };
                let _ = writeln!(out, "{verdict}\n");
                if let Some(working) = options.working_version
                    && working != current
                {
                    let status = if working >= s.next {
                        "enough"
                    } else {
                        "not enough"
                    };
                    let _ = writeln!(
                        out,
                        "The working tree already says {working}, which is {status}.\n"
                    );
                }
            }
            None => {
                let _ = writeln!(out, "The crate's current version is unknown.\n");
            }
        }
        let _ = writeln!(out, "Convention: {SEMVER_CONVENTION}");
        out
    }

    /// [`Report::json`] as pretty text, with a trailing newline.
    pub fn json_text(&self, options: &RenderOptions<'_>) -> String {
        let mut text = serde_json::to_string_pretty(&self.json(options))
            .expect("a serde_json::Value always serializes");
        text.push('\n');
        text
    }

    /// The report as JSON for tools.
    pub fn json(&self, options: &RenderOptions<'_>) -> Value {
        json!({
            "old": options.old_label,
            "new": options.new_label,
            "crate": options.crate_name,
            "highest": self.highest(),
            "summary": {
                "breaking": self.count(Class::Breaking),
                "possibly-breaking": self.count(Class::PossiblyBreaking),
                "compatible": self.count(Class::Compatible),
            },
            "semver": options.version.map(|v| {
                let s = self.semver(v);
                json!({
                    "current": s.current,
                    "bump": s.bump,
                    "next": s.next,
                    "reason": s.reason,
                    "working-tree": options.working_version,
                    "convention": SEMVER_CONVENTION,
                })
            }),
            "notes": self.notes,
            "changes": self.changes,
        })
    }
}

/// Labels and versions for [`Report::markdown`] and [`Report::json`].
#[derive(Debug, Clone)]
pub struct RenderOptions<'a> {
    pub old_label: &'a str,
    pub new_label: &'a str,
    pub crate_name: &'a str,
    /// The crate's version the old document was released as.
    pub version: Option<Version>,
    /// The version in the working tree, if it differs from `version`.
    pub working_version: Option<Version>,
}

/// Keeps text from a document from being read as Markdown structure.
fn md_escape(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(class: Class, kind: &str) -> Change {
        Change {
            class,
            kind: kind.into(),
            api: String::new(),
            pointer: String::new(),
            change: String::new(),
            rust_item: String::new(),
            rust_member: None,
            old_type: None,
            new_type: None,
            impact: String::new(),
        }
    }

    #[test]
    fn semver_follows_cargo_rules() {
        let v = |s| Version::parse(s).unwrap();
        let report = |changes: Vec<Change>| Report {
            changes,
            notes: vec![],
            generation_errors: vec![],
        };
        let breaking = report(vec![change(Class::Breaking, "parameter-removed")]);
        assert_eq!(breaking.semver(v("0.1.0")).next, v("0.2.0"));
        assert_eq!(breaking.semver(v("1.2.3")).next, v("2.0.0"));
        let possibly = report(vec![change(Class::PossiblyBreaking, "enum-value-added")]);
        assert_eq!(possibly.semver(v("0.1.4")).next, v("0.2.0"));
        let added = report(vec![change(Class::Compatible, "operation-added")]);
        assert_eq!(added.semver(v("0.1.0")).next, v("0.1.1"));
        assert_eq!(added.semver(v("1.2.3")).next, v("1.3.0"));
        let docs = report(vec![change(Class::Compatible, "description-changed")]);
        assert_eq!(docs.semver(v("1.2.3")).next, v("1.2.4"));
        assert_eq!(report(vec![]).semver(v("0.1.0")).bump, Bump::None);
        assert_eq!(Version::parse("0.1.0-alpha.1"), Some(v("0.1.0")));
        assert_eq!(Version::parse("1.2"), None);
    }
}

//! Component schemas as a whole: which were renamed, added or removed, and where each travels.

// The impl continues `Cmp` from `mod.rs`; it shares that module's vocabulary.
use super::lookup::*;
use super::*;

impl<'a> Cmp<'a> {
    pub(super) fn detect_renames(&mut self) {
        let (os, ns) = (schemas(self.old.value), schemas(self.new.value));
        let removed: Vec<&String> = os.keys().filter(|k| !ns.contains_key(*k)).collect();
        let added: Vec<&String> = ns.keys().filter(|k| !os.contains_key(*k)).collect();
        for r in removed {
            let same: Vec<&&String> = added.iter().filter(|a| ns[**a] == os[r]).collect();
            if let [only] = same.as_slice() {
                self.renames.insert(r.clone(), (**only).clone());
            }
        }
    }

    pub(super) fn usage(&self, old_name: Option<&str>, new_name: Option<&str>) -> Option<Dir> {
        let mut request = false;
        let mut response = false;
        for (map, name) in [(&self.old_usage, old_name), (&self.new_usage, new_name)] {
            if let Some((q, s)) = name.and_then(|n| map.get(n)) {
                request |= q;
                response |= s;
            }
        }
        match (request, response) {
            (true, false) => Some(Dir::Request),
            (false, true) => Some(Dir::Response),
            (true, true) => Some(Dir::Both),
            (false, false) => None,
        }
    }

    pub(super) fn components(&mut self) {
        let (old_doc, new_doc) = (self.old.value, self.new.value);
        let (os, ns) = (schemas(old_doc), schemas(new_doc));
        let renamed_to: BTreeSet<String> = self.renames.values().cloned().collect();
        let type_place = |cmp: &Self, old: Option<&str>, new: Option<&str>| {
            let old_rust = old.map(|n| sanitize(n, true));
            let new_rust = new.map(|n| sanitize(n, true));
            let name = new.or(old).unwrap_or_default();
            let side_ptr = push_pointer("/components/schemas", name);
            Place {
                api: format!("schema `{name}`"),
                pointer: side_ptr,
                item: format!(
                    "types::{}",
                    new_rust
                        .as_deref()
                        .or(old_rust.as_deref())
                        .unwrap_or_default()
                ),
                member: None,
                old_ty: old_rust.as_deref().and_then(|n| cmp.old.rust?.signature(n)),
                new_ty: new_rust.as_deref().and_then(|n| cmp.new.rust?.signature(n)),
                old_model: old_rust
                    .filter(|n| cmp.old.rust.is_some_and(|r| r.types.contains_key(n))),
                new_model: new_rust
                    .filter(|n| cmp.new.rust.is_some_and(|r| r.types.contains_key(n))),
                ..Place::default()
            }
        };
        for name in os.keys() {
            if ns.contains_key(name) {
                continue;
            }
            let dir = self.usage(Some(name), None);
            if let Some(to) = self.renames.get(name).cloned() {
                let place = type_place(self, Some(name), Some(&to));
                self.push(
                    Class::Breaking,
                    "type-renamed",
                    &place,
                    format!("schema `{name}` was renamed to `{to}` (same definition)"),
                    format!(
                        "`types::{}` is now `types::{}`; to keep the old name, pin it in `openapi/overrides.json`: \
                         `\"schemas\": {{\"{to}\": \"{name}\"}}`",
                        sanitize(name, true),
                        sanitize(&to, true)
                    ),
                );
                continue;
            }
            let place = type_place(self, Some(name), None);
            self.push(
                Class::Breaking,
                "type-removed",
                &place,
                format!(
                    "schema `{name}` was removed{}",
                    dir.map(|d| format!(" (it was {})", d.text()))
                        .unwrap_or_default()
                ),
                format!(
                    "`types::{}` no longer exists; code naming it does not compile",
                    sanitize(name, true)
                ),
            );
        }
        for name in ns.keys() {
            if os.contains_key(name) || renamed_to.contains(name) {
                continue;
            }
            let place = type_place(self, None, Some(name));
            self.push(
                Class::Compatible,
                "type-added",
                &place,
                format!("new schema `{name}`"),
                format!("new type `types::{}`", sanitize(name, true)),
            );
        }
        for (name, old_schema) in os.iter() {
            if !ns.contains_key(name) {
                continue;
            }
            let new_schema = &ns[name];
            if old_schema == new_schema {
                continue;
            }
            let place = type_place(self, Some(name), Some(name));
            let dir = self.usage(Some(name), Some(name)).unwrap_or(Dir::Both);
            self.schema(&place, old_schema, new_schema, dir);
        }
    }
}

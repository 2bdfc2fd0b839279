//! `cargo xtask import PATH|-`: bring the document the FastAPI service publishes into
//! `openapi/connections.json`, in canonical form, and regenerate.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{CORPUS_DOCUMENT, DOCUMENT, Mode, regen, repo_root};

pub(crate) fn import(args: &[&str]) -> Result<(), String> {
    let (document, input) = match args {
        [input] => (DOCUMENT, input),
        ["--corpus", input] => (CORPUS_DOCUMENT, input),
        _ => {
            return Err(format!(
                "`import` takes one argument, a path or `-` for stdin (after `--corpus` for \
                 the feature corpus); got {args:?}\n\n{}",
                super::USAGE
            ));
        }
    };
    let (name, text) = if *input == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("<stdin>: cannot read: {e}"))?;
        (PathBuf::from("<stdin>"), text)
    } else {
        let path = PathBuf::from(input);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{input}: cannot read: {e}"))?;
        (path, text)
    };
    let root = repo_root();
    let imported =
        stackai_codegen::tools::import::import(&name, &text, &root.join(document), document)
            .map_err(|e| format!("{e}\n{document} was left as it was"))?;
    // The document's warnings are printed by `regen` below.
    if imported.changed {
        println!("updated {document} from {}", display(&name));
    } else {
        println!("{document} is already this document");
    }
    regen(Mode::Write)?;
    if imported.changed {
        println!(
            "next: `cargo xtask diff --base HEAD` for the breaking-change report, \
             then `cargo test --workspace` and `cargo insta review`"
        );
    }
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

//! A tour of the client against a real server.
//!
//! ```sh
//! STACKAI_API_KEY=... [STACKAI_BASE_URL=...] cargo run -p stackai-connections --example quickstart
//! ```
//!
//! Lists the available connection types, creates a connection of the first `credentials`
//! type (every required parameter filled with a placeholder of its type), reads it back,
//! renames it, lists all connections, walks the first level of its resources, and deletes
//! it. Each step is printed; any failure ends the program with a non-zero status.
//!
//! The tour itself is [`tour`], which takes any [`Client`] and writes its steps to any
//! writer; `tests/tests/quickstart.rs` runs it against a stateful loopback server.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{Map, Value};
use stackai_connections::{Client, types};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let result = match Client::from_env() {
        Ok(client) => tour(&client, &mut std::io::stdout()).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => {
            println!("done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The whole tour, each step written to `out`.
pub async fn tour(client: &Client, out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "1. available connection types")?;
    let available = client
        .get_available_connections()
        .send()
        .await?
        .into_inner();
    for kind in &available {
        writeln!(
            out,
            "   {} / {}: {} ({})",
            kind.provider_id, kind.connection_type_id, kind.name, kind.connection_type
        )?;
    }
    let kind = available
        .iter()
        .find(|kind| kind.connection_type == "credentials")
        .ok_or("no available connection type uses credentials")?;

    writeln!(out, "2. create a {} connection", kind.name)?;
    let mut data = Map::new();
    for param in kind.params.iter().filter(|p| p.required) {
        data.insert(param.name.clone(), placeholder(param));
    }
    let body = types::ConnectionRequest::builder()
        .name("quickstart example")
        .provider_id(kind.provider_id.clone())
        .connection_type_id(kind.connection_type_id.clone())
        .connection_provider_data(types::BaseConnectionDataModel::from(data));
    let created = client
        .create_connection()
        .body(body)
        .send()
        .await?
        .into_inner();
    let id = created.connection_id;
    writeln!(out, "   created {id}")?;

    // Clean up even when a later step fails.
    let outcome = explore(client, id, out).await;
    let step = writeln!(out, "7. delete {id}");
    let deleted = client.delete_connection().connection_id(id).send().await;
    outcome?;
    step?;
    deleted?;
    Ok(())
}

async fn explore(
    client: &Client,
    id: uuid::Uuid,
    out: &mut impl Write,
) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "3. read it back")?;
    let read = client
        .get_connection_by_id()
        .connection_id(id)
        .send()
        .await?
        .into_inner();
    writeln!(out, "   {} created at {}", read.name, read.created_at)?;

    writeln!(out, "4. rename it")?;
    let rename = types::ConnectionPatchRequest::builder().name("quickstart example (renamed)");
    let renamed = client
        .patch_connection()
        .connection_id(id)
        .body(rename)
        .send()
        .await?
        .into_inner();
    writeln!(out, "   now called {}", renamed.name)?;

    writeln!(out, "5. all connections")?;
    let mut connections = client.get_connections().limit(100).stream();
    let mut count = 0;
    while let Some(connection) = connections.next().await {
        let connection = connection?;
        count += 1;
        writeln!(out, "   {} {}", connection.connection_id, connection.name)?;
    }
    writeln!(out, "   {count} in all")?;

    writeln!(out, "6. resources at the root")?;
    let mut resources = client.get_children_resources().connection_id(id).stream();
    let mut count = 0;
    while let Some(resource) = resources.next().await {
        let resource = resource?;
        count += 1;
        writeln!(out, "   {:?} {}", resource.inode_type, resource.resource_id)?;
    }
    writeln!(out, "   {count} at the root")?;
    Ok(())
}

/// A stand-in value of the parameter's declared type.
fn placeholder(param: &types::ConnectionParam) -> Value {
    match param.type_.as_str() {
        "number" | "integer" => Value::from(0),
        "boolean" | "bool" => Value::Bool(false),
        _ => Value::String(
            param
                .placeholder
                .clone()
                .unwrap_or_else(|| format!("placeholder-{}", param.name)),
        ),
    }
}

//! Lists the connection types Stack AI offers and the caller's connections.
//!
//! ```sh
//! STACKAI_API_KEY=... cargo run -p stackai-connections --example list_connections
//! ```
//! `STACKAI_BASE_URL` overrides the API's address.

use stackai_connections::{Client, types};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url =
        std::env::var("STACKAI_BASE_URL").unwrap_or_else(|_| Client::DEFAULT_BASE_URL.into());
    let token = std::env::var("STACKAI_API_KEY").map_err(|_| "set STACKAI_API_KEY")?;
    let client = Client::with_bearer_token(&base_url, &token)?;

    for available in client
        .get_available_connections()
        .send()
        .await?
        .into_inner()
    {
        println!(
            "available: {} ({})",
            available.name, available.connection_type
        );
    }

    let page = client
        .get_paginated_connections()
        .limit(50)
        .sort_by(types::ConnectionSortBy::UpdatedAt)
        .send()
        .await?
        .into_inner();
    println!("{} connections in all", page.total);
    for connection in page.data {
        println!(
            "{} {} updated {}",
            connection.connection_id, connection.name, connection.updated_at
        );
    }
    Ok(())
}

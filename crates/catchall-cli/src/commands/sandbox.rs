//! `catchall sandbox`: a standalone sandbox server.

use std::net::SocketAddr;

use catchall_sandbox::{Paging, Sandbox, SandboxConfig};

use crate::args::{Global, SandboxArgs};
use crate::error::{CliError, Result};
use crate::output;

pub async fn run(g: &Global, a: SandboxArgs) -> Result<()> {
    let api_key = match a.api_key.as_deref().map(str::trim) {
        Some("") => {
            return Err(CliError::input(
                "--api-key must not be empty (leave it out to accept any key).",
            ))
        }
        other => other.map(str::to_owned),
    };
    let config = SandboxConfig {
        pace: a.pace,
        api_key,
        ..SandboxConfig::default()
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], a.port));
    let sandbox = Sandbox::start(config, addr).await.map_err(|e| {
        CliError::input(format!(
            "The sandbox could not start: {e}. Try another --port."
        ))
    })?;
    sandbox.faults().set_paging(Paging {
        max_page_size: a.max_page_size,
        total_pages: !a.no_total_pages,
    });
    // The address comes first and alone on its line, so scripts can read it.
    if g.json {
        output::line(
            &serde_json::json!({ "base_url": sandbox.base_url(), "pace": a.pace.to_string() })
                .to_string(),
        )?;
    } else {
        output::line(&sandbox.base_url())?;
        output::note(&format!(
            "Sandbox CatchAll API at pace {} (Ctrl-C stops it). Use it with: export CATCHALL_BASE_URL={}",
            a.pace,
            sandbox.base_url()
        ));
    }
    sandbox.run_until_ctrl_c().await;
    Ok(())
}

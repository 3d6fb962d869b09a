//! `catchall`: the CatchAll API from a terminal, for power users and
//! scripts, built on the same crates as CatchAll Desk.

mod args;
mod args_watchlists;
mod commands;
mod connect;
mod error;
mod output;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("catchall could not start: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    if let Err(e) = result {
        // Errors quote the service's words: no terminal escapes from there.
        eprintln!("{}", output::printable(&e.to_string()));
        std::process::exit(e.exit_code());
    }
}

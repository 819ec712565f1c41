//! The `quarterdeck` binary: the allocator capped, logging set up, then the CLI.
//! Everything else is the library.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    cap_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        tracing_subscriber::fmt()
            .with_env_filter(
                EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
            )
            .with_writer(std::io::stderr)
            .init();
        quarterdeck::cli::run(quarterdeck::cli::Cli::parse()).await
    })
}

/// One malloc arena for the whole process. glibc gives threads that allocate at the same
/// time arenas of their own (up to 8 per core), and memory freed into an arena is reused
/// only through it: the stage computations, SQLite's connection threads and the analyses'
/// worker threads each left theirs at its own high-water mark, and a simulated quarter's
/// peak resident memory was several times its heap. One arena keeps it under the target
/// in the same wall time (docs/testing.md, performance table). Must run before any other
/// thread exists; a `MALLOC_ARENA_MAX` set in the environment is left to glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a malloc parameter, and no other thread exists yet.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_malloc_arenas() {}

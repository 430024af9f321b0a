#![recursion_limit = "512"]
//! `zkmq`: `serve` runs the console; `audit verify` checks the audit chain;
//! `config check` validates a config file.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zkmq::accounts::{AccountCommand, RoleCommand, UserCommand};
use zkmq::config::Config;

#[derive(Parser)]
#[command(
    name = "zkmq",
    version,
    about = "One web console for ZooKeeper, Kafka and RabbitMQ"
)]
struct Cli {
    /// Config file (TOML).
    #[arg(
        long,
        short,
        global = true,
        env = "ZKMQ_CONFIG",
        default_value = "config/zkmq.toml"
    )]
    config: PathBuf,
    /// Audit database file; overrides server.database.
    #[arg(long, global = true, env = "ZKMQ_DATABASE")]
    database: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console.
    Serve {
        /// Listen address; overrides server.bind.
        #[arg(long)]
        bind: Option<String>,
        /// No longer needed (every call needs a login); accepted for old scripts.
        #[arg(long, hide = true)]
        allow_remote: bool,
    },
    /// Accounts: add, change password, disable, list. Passwords are read
    /// from ZKMQ_PASSWORD or stdin, never from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Roles: grant or revoke ROLE (viewer, operator, admin, payloads,
    /// auditor) on SCOPE (backend/cluster-glob: kafka/prod-*, */*).
    Role {
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// List every server function and websocket route (for access tests).
    Routes,
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Config tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exit 1 and name the first broken record if any.
    Verify,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Parse and validate the config file, then exit.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Routes = cli.command {
        zkmq::serve::print_routes();
        return ExitCode::SUCCESS;
    }
    let env = |k: &str| std::env::var(k).ok();
    let mut config = match Config::load(&cli.config, env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zkmq: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(db) = cli.database {
        config.server.database = db;
    }
    // 8 MiB per worker rather than tokio's 2 MiB: rendering a page runs the
    // whole (nested, generic) view tree on one worker's stack, and a debug
    // build of the queue page overflowed 2 MiB — which aborts the process
    // for every user, not just that request.
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zkmq: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve { bind, allow_remote } => {
            if let Some(b) = bind {
                config.server.bind = b;
            }
            config.server.allow_remote |= allow_remote;
            rt.block_on(zkmq::serve::run(config, cli.config))
        }
        Command::Routes => unreachable!("answered before the config is read"),
        Command::User { command } => account(&rt, &config, AccountCommand::User(command)),
        Command::Role { command } => account(&rt, &config, AccountCommand::Role(command)),
        Command::Audit {
            command: AuditCommand::Verify,
        } => rt.block_on(zkmq::serve::verify_audit(&config)),
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            println!(
                "{}: ok ({} ZooKeeper, {} Kafka, {} RabbitMQ)",
                cli.config.display(),
                config.zookeeper.len(),
                config.kafka.len(),
                config.rabbitmq.len()
            );
            ExitCode::SUCCESS
        }
    }
}

fn account(rt: &tokio::runtime::Runtime, config: &Config, cmd: AccountCommand) -> ExitCode {
    match rt.block_on(zkmq::accounts::run(config, cmd)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zkmq: {e}");
            ExitCode::from(1)
        }
    }
}

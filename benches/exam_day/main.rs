//! The exam-day benchmark: N trainees sign in (a few for the first time,
//! with their activation code), all start one 40-question quiz within a few
//! seconds, then start a second one back to back; they save answers with a
//! think time, some turn the quiz's pages without JavaScript, both are
//! pushed to saturation with zero think time, and all submit; then every
//! acknowledged answer is looked up in the database. It drives the real `bimtek` binary
//! (SQLite by default, PostgreSQL with `--postgres`) over HTTP.
//!
//! ```text
//! cargo bench --bench exam_day                       # 5,000 trainees on SQLite
//! cargo bench --bench exam_day -- --trainees 20000 --start-window 5
//! cargo bench --bench exam_day -- --trainees 2000 --think-ms 2000
//! cargo bench --bench exam_day -- --postgres postgres://postgres@127.0.0.1/postgres
//! cargo bench --bench exam_day -- --postgres postgres://… --instances 2
//! ```

#[path = "../../tests/api/database.rs"]
mod database;
// Shared with the integration tests, which use more of it.
#[allow(dead_code)]
#[path = "../../tests/api/process.rs"]
mod process;

mod backup;
mod load;
mod report;
mod scenario;
mod setup;
mod trainee;
mod verify;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use database::{Backend, TestDatabase};
use process::ServerProcess;
use report::Report;
use trainee::Api;

#[derive(Parser, Debug)]
#[command(about = "Exam-day load test against the real bimtek server")]
pub struct Args {
    /// Trainees signed in, starting, answering and submitting.
    #[arg(long, default_value_t = 5000)]
    trainees: usize,
    /// Mean pause between one trainee's saves in the autosave phase, in ms.
    #[arg(long, default_value_t = 2000)]
    think_ms: u64,
    /// Length of the autosave phase (with think time), in seconds.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Everyone starts within this many seconds.
    #[arg(long, default_value_t = 2)]
    start_window: u64,
    /// Trainees who turn the quiz's pages without JavaScript.
    #[arg(long, default_value_t = 2000)]
    page_trainees: usize,
    /// Mean pause between one trainee's page turns, in ms.
    #[arg(long, default_value_t = 10_000)]
    page_think_ms: u64,
    /// Trainees who sign in for the first time with an activation code.
    #[arg(long, default_value_t = 200)]
    activations: usize,
    /// Everyone submits within this many seconds.
    #[arg(long, default_value_t = 30)]
    submit_window: u64,
    /// Server instances on one PostgreSQL database (needs --postgres); the
    /// clients take them in turn request by request, as a proxy without
    /// sticky sessions would.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    instances: u16,
    /// Trainees' requests in flight at once, at most (0: no limit, one
    /// connection per phone). A reverse proxy in front holds such a pool;
    /// it also keeps 20,000 phones within a 20,000 open-file limit.
    #[arg(long, default_value_t = 0)]
    at_once: usize,
    /// Connections of the closed-loop phases (zero-think autosave and /healthz).
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Length of each closed-loop phase, in seconds.
    #[arg(long, default_value_t = 10)]
    closed_seconds: u64,
    /// Sign-ins running at once during setup.
    #[arg(long, default_value_t = 16)]
    login_concurrency: usize,
    /// A PostgreSQL server to create a throwaway database on, e.g.
    /// `postgres://postgres@127.0.0.1:5432/postgres`; SQLite when absent.
    #[arg(long, env = "BIMTEK_BENCH_POSTGRES_URL")]
    postgres: Option<String>,
    /// The server's log filter (`RUST_LOG`), e.g. `bimtek::attempts=debug`; its
    /// log is printed at the end.
    #[arg(long, default_value = "warn")]
    server_log: String,
    /// Set by `cargo bench`; without it (`cargo test --benches`) nothing runs.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The server's memory by kind and its open connections, for the log.
fn memory_detail(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("?".to_owned(), |v| v.trim().to_owned())
    };
    let sockets = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0);
    format!(
        "RssAnon {}, RssFile {}, {sockets} sockets",
        field("RssAnon:"),
        field("RssFile:")
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.bench {
        println!("exam_day: run it with `cargo bench --bench exam_day`");
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let backend = match &args.postgres {
        Some(url) => Backend::Postgres(url.clone()),
        None if args.instances > 1 => {
            eprintln!(
                "exam_day: --instances above 1 needs --postgres (SQLite serves one instance)"
            );
            return ExitCode::FAILURE;
        }
        None => Backend::Sqlite,
    };
    let mut report = Report::new(&args, backend.name());
    let database = TestDatabase::create(&backend).await;
    let mut servers = Vec::new();
    for _ in 0..args.instances {
        let server = ServerProcess::start(&database.url, &[("RUST_LOG", &args.server_log)]).await;
        eprintln!("server pid {} at {}", server.pid(), server.base_url);
        servers.push(server);
    }
    let api = Api::new(
        servers.iter().map(|s| s.base_url.clone()).collect(),
        args.at_once,
    );
    let mut mark = Vec::new();
    let rss = |servers: &[ServerProcess]| servers.iter().map(ServerProcess::rss_kib).collect();

    eprintln!("setting up {} trainees …", args.trainees);
    let exam = setup::prepare(&api, &database.url, args.trainees, args.activations).await;
    api.sent_since(&mut mark);
    let argon2_before = setup::argon2_verify_rate(Duration::from_secs(3)).await;
    eprintln!("signing in …");
    let (mut trainees, phase) = setup::sign_in_all(&api, &exam.nips, args.login_concurrency).await;
    report.add(phase, api.sent_since(&mut mark));
    let argon2_after = setup::argon2_verify_rate(Duration::from_secs(3)).await;
    report.argon2_before_after = (argon2_before, argon2_after);
    let (activated, phase) = setup::activate_all(
        &api,
        &exam.first_time,
        exam.nips.len(),
        args.login_concurrency,
    )
    .await;
    report.add(phase, api.sent_since(&mut mark));
    trainees.extend(activated);
    report.rss_after_sign_in_kib = rss(&servers);

    eprintln!("start storm …");
    let window = Duration::from_secs(args.start_window);
    let (trainees, phase) = scenario::start_storm(&api, exam.quiz_id, trainees, window).await;
    report.add(phase, api.sent_since(&mut mark));
    report.rss_after_start_kib = rss(&servers);
    for server in &servers {
        eprintln!("  after the start storm: {}", memory_detail(server.pid()));
    }
    eprintln!("starts back to back …");
    let phase =
        scenario::starts_back_to_back(&api, exam.practice_id, &trainees, args.concurrency).await;
    report.add(phase, api.sent_since(&mut mark));

    eprintln!("answering with think time …");
    let think = Duration::from_millis(args.think_ms);
    let duration = Duration::from_secs(args.duration);
    let (mut trainees, phase) =
        scenario::answer_with_think_time(&api, trainees, think, duration).await;
    report.add(phase, api.sent_since(&mut mark));

    eprintln!("turning pages without JavaScript …");
    let readers: Vec<_> = trainees
        .drain(..args.page_trainees.min(trainees.len()))
        .collect();
    let think = Duration::from_millis(args.page_think_ms);
    let (readers, phase) = scenario::pages_with_think_time(&api, readers, think, duration).await;
    report.add(phase, api.sent_since(&mut mark));

    eprintln!("closed loop: /healthz, then autosave …");
    let closed = Duration::from_secs(args.closed_seconds);
    let phase = scenario::healthz(&api, args.concurrency, closed).await;
    report.add(phase, api.sent_since(&mut mark));
    let (mut trainees, phase) = scenario::saturate(&api, trainees, args.concurrency, closed).await;
    report.add(phase, api.sent_since(&mut mark));
    let (readers, phase) = scenario::pages_saturate(&api, readers, args.concurrency, closed).await;
    report.add(phase, api.sent_since(&mut mark));
    trainees.extend(readers);

    eprintln!("submit storm …");
    let window = Duration::from_secs(args.submit_window);
    let (trainees, phase) = scenario::submit_storm(&api, trainees, window).await;
    report.add(phase, api.sent_since(&mut mark));

    eprintln!("backup while the servers run, then restore …");
    report.backup = backup::measure(&database.url);
    report.peak_rss_kib = servers.iter().map(ServerProcess::peak_rss_kib).collect();
    if args.server_log != "warn" {
        for (i, server) in servers.iter().enumerate() {
            let path = std::env::temp_dir().join(format!("exam_day-server-{}.log", i + 1));
            std::fs::write(&path, server.log_text()).ok();
            eprintln!("server log written to {}", path.display());
        }
    }
    report.check = Some(verify::acknowledged_answers(&database.url, &trainees).await);
    drop(servers);
    database.drop_database().await;

    report.print();
    if report.correct() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

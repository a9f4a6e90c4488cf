//! Measuring a phase: latencies and errors per request, and the closed-loop
//! driver used for the saturation and `/healthz` phases.

use std::future::Future;
use std::time::{Duration, Instant};

/// What one task saw; merged into a `Phase` when the phase ends.
#[derive(Default)]
pub struct Samples {
    latencies: Vec<Duration>,
    errors: u64,
    first_errors: Vec<String>,
}

impl Samples {
    pub fn ok(&mut self, latency: Duration) {
        self.latencies.push(latency);
    }

    pub fn error(&mut self, latency: Duration, message: String) {
        self.latencies.push(latency);
        self.errors += 1;
        if self.first_errors.len() < 3 {
            self.first_errors.push(message);
        }
    }

    /// Times `request` and records its outcome.
    pub async fn time<T>(&mut self, request: impl Future<Output = Result<T, String>>) -> Option<T> {
        let started = Instant::now();
        let outcome = request.await;
        let latency = started.elapsed();
        match outcome {
            Ok(value) => {
                self.ok(latency);
                Some(value)
            }
            Err(message) => {
                self.error(latency, message);
                None
            }
        }
    }

    pub fn merge(&mut self, other: Samples) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        for message in other.first_errors {
            if self.first_errors.len() < 3 {
                self.first_errors.push(message);
            }
        }
    }
}

/// One phase's figures.
pub struct Phase {
    pub name: String,
    pub requests: usize,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub first_errors: Vec<String>,
    /// Requests each server instance received during the phase.
    pub per_instance: Vec<u64>,
}

impl Phase {
    pub fn new(name: impl Into<String>, mut samples: Samples, elapsed: Duration) -> Phase {
        samples.latencies.sort_unstable();
        let at = |q: f64| percentile(&samples.latencies, q);
        Phase {
            name: name.into(),
            requests: samples.latencies.len(),
            errors: samples.errors,
            elapsed,
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: samples.latencies.last().copied().unwrap_or_default(),
            first_errors: samples.first_errors,
            per_instance: Vec::new(),
        }
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The latency below which a share `q` of the sorted samples falls.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `workers` loops back to back for `duration`: each calls `step` with
/// its own state until time is up, then hands the state back.
pub async fn closed_loop<S, F, Fut>(
    name: &str,
    states: Vec<S>,
    duration: Duration,
    step: F,
) -> (Vec<S>, Phase)
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = (S, Result<(), String>)> + Send,
{
    let started = Instant::now();
    let end = started + duration;
    let tasks: Vec<_> = states
        .into_iter()
        .map(|mut state| {
            let step = step.clone();
            tokio::spawn(async move {
                let mut samples = Samples::default();
                while Instant::now() < end {
                    let begun = Instant::now();
                    let (next, outcome) = step(state).await;
                    state = next;
                    match outcome {
                        Ok(()) => samples.ok(begun.elapsed()),
                        Err(message) => samples.error(begun.elapsed(), message),
                    }
                }
                (state, samples)
            })
        })
        .collect();
    let (states, samples) = join_all(tasks).await;
    (states, Phase::new(name, samples, started.elapsed()))
}

/// Awaits every task, gathering their states and samples.
pub async fn join_all<S>(tasks: Vec<tokio::task::JoinHandle<(S, Samples)>>) -> (Vec<S>, Samples) {
    let mut states = Vec::with_capacity(tasks.len());
    let mut all = Samples::default();
    for task in tasks {
        let (state, samples) = task.await.expect("load task panicked");
        states.push(state);
        all.merge(samples);
    }
    (states, all)
}

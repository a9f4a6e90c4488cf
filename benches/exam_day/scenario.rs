//! The phases of exam day, each over the whole class of trainees.

use std::future::Future;
use std::time::{Duration, Instant};

use rand::Rng;
use uuid::Uuid;

use crate::load::{Phase, Samples, closed_loop, join_all};
use crate::trainee::{Api, Trainee};

/// Each trainee does `act` once, at a random moment within `window`
/// (everyone starts, or everyone submits, within a few seconds).
async fn once_each<F, Fut>(
    name: &str,
    trainees: Vec<Trainee>,
    window: Duration,
    act: F,
) -> (Vec<Trainee>, Phase)
where
    F: Fn(Trainee) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = (Trainee, Result<(), String>)> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = trainees
        .into_iter()
        .map(|mut trainee| {
            let act = act.clone();
            let delay = window.mul_f64(trainee.rng().random::<f64>());
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let mut samples = Samples::default();
                let begun = Instant::now();
                let (trainee, outcome) = act(trainee).await;
                match outcome {
                    Ok(()) => samples.ok(begun.elapsed()),
                    Err(message) => samples.error(begun.elapsed(), message),
                }
                (trainee, samples)
            })
        })
        .collect();
    let (trainees, samples) = join_all(tasks).await;
    (trainees, Phase::new(name, samples, started.elapsed()))
}

pub async fn start_storm(
    api: &Api,
    quiz_id: Uuid,
    trainees: Vec<Trainee>,
    window: Duration,
) -> (Vec<Trainee>, Phase) {
    let api = api.clone();
    once_each("start", trainees, window, move |mut trainee| {
        let api = api.clone();
        async move {
            let outcome = trainee.start(&api, quiz_id).await;
            (trainee, outcome)
        }
    })
    .await
}

pub async fn submit_storm(
    api: &Api,
    trainees: Vec<Trainee>,
    window: Duration,
) -> (Vec<Trainee>, Phase) {
    let api = api.clone();
    once_each("submit", trainees, window, move |mut trainee| {
        let api = api.clone();
        async move {
            let outcome = trainee.submit(&api).await;
            (trainee, outcome)
        }
    })
    .await
}

/// Every trainee answers a question, thinks for about `think` (±50 %),
/// answers the next, … for `duration`. Their first answers are spread over
/// one think time, as in a real room.
pub async fn answer_with_think_time(
    api: &Api,
    trainees: Vec<Trainee>,
    think: Duration,
    duration: Duration,
) -> (Vec<Trainee>, Phase) {
    let started = Instant::now();
    let end = started + duration;
    let tasks: Vec<_> = trainees
        .into_iter()
        .map(|mut trainee| {
            let api = api.clone();
            let first = think.mul_f64(trainee.rng().random::<f64>());
            tokio::spawn(async move {
                let mut samples = Samples::default();
                tokio::time::sleep(first).await;
                while Instant::now() < end {
                    let begun = Instant::now();
                    match trainee.save_one(&api).await {
                        Ok(()) => samples.ok(begun.elapsed()),
                        Err(message) => samples.error(begun.elapsed(), message),
                    }
                    let pause = think.mul_f64(trainee.rng().random_range(0.5..1.5));
                    tokio::time::sleep(pause).await;
                }
                (trainee, samples)
            })
        })
        .collect();
    let (trainees, samples) = join_all(tasks).await;
    (trainees, Phase::new("autosave", samples, started.elapsed()))
}

/// Zero think time: `connections` clients save back to back, each cycling
/// through its own share of the trainees (so one trainee's saves stay in
/// order, as from one phone).
pub async fn saturate(
    api: &Api,
    trainees: Vec<Trainee>,
    connections: usize,
    duration: Duration,
) -> (Vec<Trainee>, Phase) {
    let connections = connections.clamp(1, trainees.len().max(1));
    let mut shares: Vec<(usize, Vec<Trainee>)> =
        (0..connections).map(|_| (0, Vec::new())).collect();
    for (i, trainee) in trainees.into_iter().enumerate() {
        shares[i % connections].1.push(trainee);
    }
    let api = api.clone();
    let (shares, phase) = closed_loop(
        "autosave, zero think time",
        shares,
        duration,
        move |(next, mut share)| {
            let api = api.clone();
            async move {
                let outcome = share[next].save_one(&api).await;
                let next = (next + 1) % share.len();
                ((next, share), outcome)
            }
        },
    )
    .await;
    (shares.into_iter().flat_map(|(_, s)| s).collect(), phase)
}

/// `GET /healthz` the same way, for the ratio.
pub async fn healthz(api: &Api, connections: usize, duration: Duration) -> Phase {
    let api = api.clone();
    let clients: Vec<()> = vec![(); connections];
    let (_, phase) = closed_loop("GET /healthz", clients, duration, move |()| {
        let (client, url) = (api.client.clone(), api.url("/healthz"));
        async move {
            let outcome = match client.get(&url).send().await {
                Ok(r) if r.status().is_success() => {
                    r.bytes().await.map(drop).map_err(|e| e.to_string())
                }
                Ok(r) => Err(format!("HTTP {}", r.status())),
                Err(e) => Err(format!("transport: {e}")),
            };
            ((), outcome)
        }
    })
    .await;
    phase
}

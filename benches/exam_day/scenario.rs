//! The phases of exam day, each over the whole class of trainees.

use std::future::Future;
use std::time::{Duration, Instant};

use rand::RngExt;
use uuid::Uuid;

use crate::load::{Phase, Samples, closed_loop, join_all};
use crate::trainee::{Api, Trainee, start};

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

/// Starts of a second quiz back to back over `connections` connections,
/// every trainee once: how many starts a second the server can take.
pub async fn starts_back_to_back(
    api: &Api,
    quiz_id: Uuid,
    trainees: &[Trainee],
    connections: usize,
) -> Phase {
    let connections = connections.clamp(1, trainees.len().max(1));
    let mut shares: Vec<Vec<String>> = vec![Vec::new(); connections];
    for (i, trainee) in trainees.iter().enumerate() {
        shares[i % connections].push(trainee.token.clone());
    }
    let started = Instant::now();
    let tasks: Vec<_> = shares
        .into_iter()
        .map(|tokens| {
            let api = api.clone();
            tokio::spawn(async move {
                let mut samples = Samples::default();
                for token in tokens {
                    samples.time(start(&api, &token, quiz_id)).await;
                }
                ((), samples)
            })
        })
        .collect();
    let (_, samples) = join_all(tasks).await;
    Phase::new("start, back to back", samples, started.elapsed())
}

/// Trainees without JavaScript: each opens the quiz's first page, then
/// answers a page and presses "Simpan & lanjut" about every `think`
/// (±50 %) for `duration`. A sample is one page turn: the form's `POST`
/// and the next page's `GET`.
pub async fn pages_with_think_time(
    api: &Api,
    trainees: Vec<Trainee>,
    think: Duration,
    duration: Duration,
) -> (Vec<Trainee>, Phase) {
    with_think_time(
        PAGE_TURN,
        api,
        trainees,
        (think, duration),
        Some(|api, trainee| {
            Box::pin(async move { trainee.open_page(&api, 1).await }) as Stepping<'_>
        }),
        |api, trainee| Box::pin(async move { trainee.turn_page(&api).await }) as Stepping<'_>,
    )
    .await
}

pub const PAGE_TURN: &str = "page turn";

/// Page turns with zero think time, over `connections` connections each
/// cycling through its share of the trainees (who already have a page on
/// screen).
pub async fn pages_saturate(
    api: &Api,
    trainees: Vec<Trainee>,
    connections: usize,
    duration: Duration,
) -> (Vec<Trainee>, Phase) {
    cycle(
        "page turns, zero think time",
        api,
        trainees,
        connections,
        duration,
        |api, trainee| Box::pin(async move { trainee.turn_page(&api).await }) as Stepping<'_>,
    )
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
/// answers the next, … for `duration`.
pub async fn answer_with_think_time(
    api: &Api,
    trainees: Vec<Trainee>,
    think: Duration,
    duration: Duration,
) -> (Vec<Trainee>, Phase) {
    with_think_time(
        "autosave",
        api,
        trainees,
        (think, duration),
        None,
        |api, trainee| Box::pin(async move { trainee.save_one(&api).await }) as Stepping<'_>,
    )
    .await
}

/// Every trainee takes `opening` (when there is one), then `step` after
/// each pause of about `think` (±50 %), until `duration` is over. Their
/// first moves are spread over one think time, as in a real room.
async fn with_think_time(
    name: &str,
    api: &Api,
    trainees: Vec<Trainee>,
    (think, duration): (Duration, Duration),
    opening: Option<Step>,
    step: Step,
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
                let mut next = opening.unwrap_or(step);
                while Instant::now() < end {
                    samples.time(next(api.clone(), &mut trainee)).await;
                    next = step;
                    let pause = think.mul_f64(trainee.rng().random_range(0.5..1.5));
                    tokio::time::sleep(pause).await;
                }
                (trainee, samples)
            })
        })
        .collect();
    let (trainees, samples) = join_all(tasks).await;
    (trainees, Phase::new(name, samples, started.elapsed()))
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
    cycle(
        "autosave, zero think time",
        api,
        trainees,
        connections,
        duration,
        |api, trainee| Box::pin(async move { trainee.save_one(&api).await }) as Stepping<'_>,
    )
    .await
}

type Stepping<'a> = std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
type Step = for<'a> fn(Api, &'a mut Trainee) -> Stepping<'a>;

/// A closed loop over `connections` connections, each cycling through its
/// own share of the trainees so that one trainee's requests stay in order.
async fn cycle(
    name: &str,
    api: &Api,
    trainees: Vec<Trainee>,
    connections: usize,
    duration: Duration,
    step: Step,
) -> (Vec<Trainee>, Phase) {
    let connections = connections.clamp(1, trainees.len().max(1));
    let mut shares: Vec<(usize, Vec<Trainee>)> =
        (0..connections).map(|_| (0, Vec::new())).collect();
    for (i, trainee) in trainees.into_iter().enumerate() {
        shares[i % connections].1.push(trainee);
    }
    let api = api.clone();
    let (shares, phase) = closed_loop(name, shares, duration, move |(next, mut share)| {
        let api = api.clone();
        async move {
            let outcome = step(api, &mut share[next]).await;
            let next = (next + 1) % share.len();
            ((next, share), outcome)
        }
    })
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

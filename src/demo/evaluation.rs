//! The participants' evaluation of the demo's batches, answered through
//! the service as trainees would, and the organiser's closing words.

use super::people::Trainee;
use crate::engine::Engine;
use crate::error::AppResult;
use crate::evaluations::model::Submission;
use crate::evaluations::service as evaluations;
use uuid::Uuid;

const COMMENTS: [&str; 6] = [
    "Materi sangat bermanfaat untuk tugas sehari-hari di OPD.",
    "Waktu praktik jaringan sebaiknya ditambah.",
    "Ruang pelatihan agak dingin; mohon pengaturan pendingin ruangan.",
    "Narasumber menjelaskan dengan contoh yang dekat dengan pekerjaan kami.",
    "Modul daring sebaiknya dapat diunduh untuk dibaca tanpa internet.",
    "Konsumsi dan pelayanan panitia baik.",
];

/// Scores from 1 to 4 that lean on the trainee's ability and the
/// statement, so the results have a spread a real batch would have.
fn score(ability: f64, trainee: usize, item: usize) -> u8 {
    let lean = ((trainee * 7 + item * 3) % 5) as f64 / 4.0;
    let value = 1.0 + 2.0 * ability + 1.2 * lean;
    value.round().clamp(1.0, 4.0) as u8
}

/// Most trainees of the batch answer (one in eleven does not).
pub async fn answer(engine: &Engine, batch_id: Uuid, trainees: &[Trainee]) -> AppResult<u32> {
    let mut answered = 0;
    for (t, trainee) in trainees.iter().enumerate() {
        if t % 11 == 10 {
            continue;
        }
        let form = evaluations::form_for(&engine.db, &trainee.user, batch_id).await?;
        if form.closed_because.is_some() || form.answered {
            continue;
        }
        let sent = Submission {
            organisation: (0..form.questions.organisation.len())
                .map(|i| score(trainee.ability, t, i))
                .collect(),
            speakers: (0..form.speakers.len())
                .map(|s| {
                    (0..form.questions.speaker.len())
                        .map(|i| score(trainee.ability, t + s, i + 1))
                        .collect()
                })
                .collect(),
            comment: (t % 4 == 0).then(|| COMMENTS[(t / 4) % COMMENTS.len()].to_owned()),
        };
        evaluations::submit(&engine.db, &trainee.user, batch_id, &sent).await?;
        answered += 1;
    }
    Ok(answered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_stay_on_the_scale_and_spread() {
        let mut seen = [false; 4];
        for t in 0..44 {
            for i in 0..5 {
                for ability in [0.6, 0.75, 0.9, 0.98] {
                    let s = score(ability, t, i);
                    assert!((1..=4).contains(&s));
                    seen[usize::from(s) - 1] = true;
                }
            }
        }
        assert!(seen.iter().filter(|s| **s).count() >= 3, "{seen:?}");
    }
}

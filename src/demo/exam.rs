//! The uji kompetensi of the pranata komputer batch: sat by every trainee,
//! marked blind by two assessors per task (who see a candidate code and
//! the work, never a name), moderated where two marks are far apart,
//! released, and one appeal heard by an assessor who never marked it.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use uuid::Uuid;

use super::people::Trainee;
use crate::accounts::model::CurrentUser;
use crate::attempts::service as attempts;
use crate::attempts::simulate;
use crate::engine::Engine;
use crate::error::AppResult;
use crate::exams::assessors::{self, AssessorInput};
use crate::exams::grading::{self, MarkInput, QueueItem};
use crate::exams::model::{Criterion, ItemStatus, UnitDecision};
use crate::exams::setup::{self, ExamInput};
use crate::exams::{appeals, results, sitting};

/// What a candidate who knows the work writes.
const THOROUGH: &str = "Rencana kerja: (1) mengumpulkan kebutuhan dan data awal dari unit pengguna; \
    (2) menyusun rancangan sesuai standar dan kebijakan yang berlaku; (3) melaksanakan langkah demi \
    langkah sambil mencatat setiap konfigurasi; (4) menguji hasil, memperbaiki temuan, dan menguji \
    ulang; (5) mendokumentasikan hasil dan menyerahkan laporan kepada atasan.";
/// What one who does not writes.
const THIN: &str = "Dikerjakan sesuai prosedur yang ada.";

/// The whole exam, from building it to the appeal's decision; whether a
/// candidate appealed (one who was Belum Kompeten in a task's unit does).
pub async fn run(
    engine: &Engine,
    admin: &CurrentUser,
    batch_id: Uuid,
    trainees: &[Trainee],
    markers: &[CurrentUser],
    appeal_assessor: &CurrentUser,
) -> AppResult<bool> {
    let input = ExamInput {
        batch_id: Some(batch_id),
        template: Some("pranata_komputer".into()),
        ..ExamInput::default()
    };
    let exam = setup::create(engine, admin, input).await?;
    let team = markers
        .iter()
        .map(|m| AssessorInput {
            user_id: m.id,
            units: Vec::new(),
            lead: true,
        })
        .collect();
    assessors::assign(engine, admin, exam.id, team).await?;
    for (i, trainee) in trainees.iter().enumerate() {
        sit(engine, exam.id, trainee, 1000 + i as u64).await?;
    }
    mark_everything(engine, markers).await?;
    let released = results::release(engine, admin, exam.id).await?;
    let appellant = released
        .rows
        .iter()
        .find(|row| {
            row.result
                .units
                .iter()
                .any(|u| u.decision == UnitDecision::BelumKompeten && !u.tasks.is_empty())
        })
        .map(|row| row.user_id);
    if let Some(user_id) = appellant
        && let Some(trainee) = trainees.iter().find(|t| t.user.id == user_id)
    {
        let reason = "Mohon peninjauan ulang nilai tugas praktik: langkah pengujian sudah saya \
                      uraikan pada jawaban.";
        let appeal = appeals::submit(engine, &trainee.user, exam.id, reason).await?;
        appeals::assign(engine, admin, appeal.id, appeal_assessor.id).await?;
        mark_everything(engine, std::slice::from_ref(appeal_assessor)).await?;
    }
    Ok(appellant.is_some())
}

async fn sit(engine: &Engine, exam_id: Uuid, trainee: &Trainee, seed: u64) -> AppResult<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let (attempt, _) = sitting::start(engine, &trainee.user, exam_id).await?;
    let essay = if trainee.ability >= 0.7 {
        THOROUGH
    } else {
        THIN
    };
    let mut knows = || rng.random::<f64>() < trainee.ability + 0.05;
    simulate::answer_all(engine, &trainee.user, attempt.id, &mut knows, essay).await?;
    attempts::submit(engine, &trainee.user, attempt.id).await?;
    Ok(())
}

/// Each assessor works through their queue until no one has anything left
/// (a finalised pair far apart brings a moderation to a third).
async fn mark_everything(engine: &Engine, team: &[CurrentUser]) -> AppResult<()> {
    loop {
        let mut marked = 0;
        for (index, assessor) in team.iter().enumerate() {
            let queue = grading::queue(engine, assessor).await?;
            for item in queue.items {
                if item.status == ItemStatus::Final {
                    continue;
                }
                grading::save_draft(engine, assessor, item.id, mark(&item, index)).await?;
                grading::finalize(engine, assessor, item.id).await?;
                marked += 1;
            }
        }
        if marked == 0 {
            return Ok(());
        }
    }
}

/// An assessor's mark of one piece of work: near the top of each criterion
/// for thorough work, near the bottom for thin work; the second assessor
/// is much stricter on a few candidates, which brings in a moderator.
fn mark(item: &QueueItem, assessor: usize) -> MarkInput {
    let thorough = item.response_text.as_deref() == Some(THOROUGH);
    let strict = assessor == 1 && item.round == "penilaian" && item.candidate_code.ends_with('7');
    let levels = item
        .task
        .rubric
        .iter()
        .map(|criterion| level(criterion, thorough && !strict))
        .collect();
    let comment = if thorough && !strict {
        "Langkah kerja lengkap, runtut, dan dapat diuji."
    } else {
        "Langkah kerja belum lengkap: pengujian dan dokumentasi tidak diuraikan."
    };
    let reason = (item.round != "penilaian").then(|| {
        "Jawaban dibaca ulang utuh terhadap rubrik; nilai ditetapkan sesuai uraian kandidat."
            .to_owned()
    });
    MarkInput {
        levels,
        comment: Some(comment.into()),
        reason,
    }
}

fn level(criterion: &Criterion, good: bool) -> u32 {
    let top = criterion.levels.len().saturating_sub(1);
    let picked = if good { top } else { top.min(1) };
    u32::try_from(picked).unwrap_or(0)
}

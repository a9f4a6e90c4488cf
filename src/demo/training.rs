//! The two courses of the demo year and their batches: sessions with
//! their narasumber, enrolment, attendance, modules read and quizzes taken,
//! each through the service a page would call.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use time::{Date, Duration, Time, Weekday};
use uuid::Uuid;

use super::people::Trainee;
use crate::accounts::model::CurrentUser;
use crate::attempts::model::{ReviewPolicy, Selection, TagRule};
use crate::attempts::prepost::{self, PrePostInput};
use crate::attempts::service as attempts;
use crate::attempts::settings::{self, QuizInput};
use crate::attempts::simulate;
use crate::banks::model::QuestionType;
use crate::catalog::model::{CourseStatus, Track};
use crate::catalog::service::{self as catalog, CourseInput, ModuleInput};
use crate::engine::Engine;
use crate::error::AppResult;
use crate::schedule::attendance::{self, Mark};
use crate::schedule::enrolment::{self, Target};
use crate::schedule::model::{AttendanceStatus, BatchStatus, SessionInput};
use crate::schedule::service::{self as schedule, BatchInput};

/// A course of the demo: its modules (title, JP, bank unit) and sessions.
pub struct Plan {
    pub code: &'static str,
    pub title: &'static str,
    pub track: Track,
    pub level: &'static str,
    pub description: &'static str,
    pub modules: &'static [(&'static str, i32, &'static str)],
    /// (topic, narasumber) of each day.
    pub days: &'static [(&'static str, &'static str)],
    pub batch: &'static str,
    pub venue: &'static str,
}

pub const PRANATA_KOMPUTER: Plan = Plan {
    code: "BIMTEK-PK-2026",
    title: "Bimtek Calon Pranata Komputer Pemerintah Kota Magelang",
    track: Track::PranataKomputer,
    level: "Terampil",
    description: "Pembekalan calon pejabat fungsional Pranata Komputer sebelum uji kompetensi: \
        jabatan fungsional, jaringan, keamanan informasi, layanan TI dan tata kelola SPBE.",
    modules: &[
        (
            "Jabatan Fungsional Pranata Komputer",
            4,
            "jabatan-fungsional",
        ),
        ("Jaringan Komputer", 8, "jaringan"),
        ("Keamanan Informasi", 8, "keamanan-informasi"),
        ("Layanan Teknologi Informasi", 6, "layanan-ti"),
        ("Tata Kelola TI dan SPBE", 6, "tata-kelola-ti"),
    ],
    days: &[
        (
            "Jabatan Fungsional Pranata Komputer",
            "Drs. Hartono, M.Si. (BKPSDM)",
        ),
        (
            "Jaringan Komputer dan Subnetting",
            "Arif Wicaksono, S.Kom. (Diskominfo)",
        ),
        (
            "Keamanan Informasi dan Cadangan Data",
            "Ratna Sari, M.Kom. (BSSN)",
        ),
        (
            "Layanan TI dan Tata Kelola SPBE",
            "Ir. Bayu Aji, M.T. (Diskominfo)",
        ),
        ("Uji Kompetensi", "Tim Asesor BKPSDM"),
    ],
    batch: "Angkatan I Tahun 2026",
    venue: "Aula Adipura Kencana, Kantor Wali Kota Magelang",
};

pub const HUMAS: Plan = Plan {
    code: "BIMTEK-HUMAS-2026",
    title: "Bimtek Penulisan Kehumasan Pemerintah Kota Magelang",
    track: Track::Humas,
    level: "Ahli Pertama",
    description: "Penulisan siaran pers, judul dan teras berita, ejaan, dan konten media sosial \
        untuk pengelola kehumasan perangkat daerah.",
    modules: &[
        ("Siaran Pers", 4, "siaran-pers"),
        ("Judul dan Teras Berita", 4, "judul-teras"),
        ("Ejaan Bahasa Indonesia (EYD)", 4, "ejaan-eyd"),
        ("Konten Media Sosial Pemerintah", 4, "media-sosial"),
    ],
    days: &[
        (
            "Siaran Pers, Judul dan Teras",
            "Wening Handayani, S.Sos. (Prokompim)",
        ),
        (
            "Ejaan dan Ragam Tulisan",
            "Dr. Sutrisno, M.Hum. (Balai Bahasa Jawa Tengah)",
        ),
        (
            "Media Sosial Pemerintah",
            "Galih Pratama, S.I.Kom. (Diskominfo)",
        ),
    ],
    batch: "Angkatan Penulis Humas 2026",
    venue: "Ruang Command Center, Dinas Kominfo Kota Magelang",
};

pub struct Course {
    pub id: Uuid,
    /// Each module's id and its quiz's id.
    pub modules: Vec<(Uuid, Uuid)>,
    /// The pre-test's and the post-test's ids.
    pub tests: (Uuid, Uuid),
}

pub struct Batch {
    pub id: Uuid,
    pub ends_on: Date,
    pub sessions: Vec<Uuid>,
}

/// The course, published, with a quiz of ten questions on each module and
/// a pre-test and post-test of three per module.
pub async fn course(
    engine: &Engine,
    admin: &CurrentUser,
    plan: &Plan,
    bank_id: Uuid,
) -> AppResult<Course> {
    let input = CourseInput {
        code: Some(plan.code.into()),
        title: Some(plan.title.into()),
        track: Some(plan.track),
        target_level: Some(Some(plan.level.into())),
        description: Some(plan.description.into()),
        status: Some(CourseStatus::Published),
        min_attendance_percent: Some(80),
    };
    let course = catalog::create_course(&engine.db, admin, input).await?;
    let mut modules = Vec::new();
    for (title, jp, unit) in plan.modules {
        let body = format!(
            "# {title}\n\nBacaan modul {title} untuk peserta {}. Pelajari uraiannya, \
             lalu kerjakan kuis modul ini.",
            plan.title
        );
        let input = ModuleInput {
            title: Some((*title).into()),
            jp: Some(Some(*jp)),
            body_markdown: Some(body),
        };
        let module = catalog::add_module(&engine.db, admin, course.id, input).await?;
        let rule = TagRule {
            types: Some(vec![QuestionType::Multichoice, QuestionType::Truefalse]),
            ..TagRule::new(format!("unit:{unit}"), 10)
        };
        let quiz = QuizInput {
            title: Some(format!("Kuis {title}")),
            bank_id: Some(bank_id),
            selection: Some(Selection::ByTags { rules: vec![rule] }),
            max_attempts: Some(2),
            ..QuizInput::default()
        };
        let quiz = settings::create_for_module(engine, admin, module.id, quiz).await?;
        modules.push((module.id, quiz.id));
    }
    let blueprint = PrePostInput {
        bank_id,
        rules: plan
            .modules
            .iter()
            .map(|(_, _, unit)| TagRule {
                types: Some(vec![QuestionType::Multichoice, QuestionType::Truefalse]),
                ..TagRule::new(format!("unit:{unit}"), 3)
            })
            .collect(),
        time_limit_seconds: Some(20 * 60),
        shuffle_questions: true,
        shuffle_choices: true,
        post_review_policy: ReviewPolicy::AfterSubmit,
    };
    let tests = prepost::save(engine, admin, course.id, blueprint).await?;
    Ok(Course {
        id: course.id,
        modules,
        tests: (tests.pre_test.id, tests.post_test.id),
    })
}

/// The Monday on or before `day`.
pub fn monday_of(day: Date) -> Date {
    let back = day.weekday().number_days_from_monday();
    day - Duration::days(i64::from(back))
}

/// The batch on consecutive working days from `first`, open, with every trainee enrolled.
pub async fn batch(
    engine: &Engine,
    admin: &CurrentUser,
    plan: &Plan,
    course: &Course,
    first: Date,
    trainees: &[Trainee],
) -> AppResult<Batch> {
    let days = working_days(first, plan.days.len());
    let sessions = plan
        .days
        .iter()
        .zip(&days)
        .map(|((topic, instructor), day)| SessionInput {
            day: *day,
            starts_at: Time::from_hms(8, 0, 0).unwrap_or(Time::MIDNIGHT),
            ends_at: Time::from_hms(15, 30, 0).unwrap_or(Time::MIDNIGHT),
            topic: Some((*topic).into()),
            instructor: Some((*instructor).into()),
        })
        .collect();
    let input = BatchInput {
        course_id: Some(course.id),
        name: Some(plan.batch.into()),
        starts_on: Some(first),
        ends_on: days.last().copied(),
        venue: Some(Some(plan.venue.into())),
        bring: Some(Some("laptop, alat tulis, dan pakaian dinas harian".into())),
        capacity: Some(i32::try_from(trainees.len()).unwrap_or(i32::MAX).max(1)),
        status: Some(BatchStatus::Open),
        sessions: Some(sessions),
        ..BatchInput::default()
    };
    let detail = schedule::create_batch(&engine.db, admin, input).await?;
    for trainee in trainees {
        enrolment::enrol(
            &engine.db,
            admin,
            detail.batch.id,
            Target::User(trainee.user.id),
        )
        .await?;
    }
    Ok(Batch {
        id: detail.batch.id,
        ends_on: detail.batch.ends_on,
        sessions: detail.sessions.iter().map(|s| s.id).collect(),
    })
}

fn working_days(first: Date, count: usize) -> Vec<Date> {
    let mut days = Vec::with_capacity(count);
    let mut day = first;
    while days.len() < count {
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            days.push(day);
        }
        day += Duration::days(1);
    }
    days
}

/// Attendance as a committee records it: nearly everyone present, a few
/// with leave (izin) or sick (sakit), one who stopped coming.
pub async fn attendance(
    engine: &Engine,
    admin: &CurrentUser,
    batch: &Batch,
    trainees: &[Trainee],
) -> AppResult<()> {
    let mut marks = Vec::new();
    for (i, trainee) in trainees.iter().enumerate() {
        for (day, session_id) in batch.sessions.iter().enumerate() {
            let status = match (i % 11, day) {
                (3, 1) => AttendanceStatus::Izin,
                (7, 2) => AttendanceStatus::Sakit,
                _ if i == 5 && day >= 2 => AttendanceStatus::Absent,
                _ => AttendanceStatus::Present,
            };
            marks.push(Mark {
                session_id: *session_id,
                user_id: trainee.user.id,
                status,
            });
        }
    }
    attendance::record_attendance(&engine.db, admin, batch.id, &marks).await?;
    Ok(())
}

/// One go at a test, answering right with probability `ability`.
async fn sit(
    engine: &Engine,
    trainee: &Trainee,
    quiz_id: Uuid,
    ability: f64,
    rng: &mut StdRng,
) -> AppResult<bool> {
    let (attempt, _) = attempts::start(engine, &trainee.user, quiz_id).await?;
    let mut knows = || rng.random::<f64>() < ability;
    simulate::answer_all(engine, &trainee.user, attempt.id, &mut knows, "").await?;
    let done = attempts::submit(engine, &trainee.user, attempt.id).await?;
    Ok(done.result.is_some_and(|r| r.passed == Some(true)))
}

/// Every trainee but two takes the pre-test knowing about half of what they
/// will, reads the modules (one skips the last) and takes each quiz (once
/// more after failing), then the post-test (all but one).
pub async fn learn(engine: &Engine, course: &Course, trainees: &[Trainee]) -> AppResult<()> {
    let (pre_test, post_test) = course.tests;
    for (i, trainee) in trainees.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(i as u64);
        if i % 20 != 4 {
            sit(engine, trainee, pre_test, trainee.ability * 0.55, &mut rng).await?;
        }
        for (m, (module_id, quiz_id)) in course.modules.iter().enumerate() {
            let skips = i == 9 && m + 1 == course.modules.len();
            if !skips {
                catalog::complete_module(&engine.db, &trainee.user, *module_id).await?;
            }
            for _ in 0..2 {
                if sit(engine, trainee, *quiz_id, trainee.ability, &mut rng).await? {
                    break;
                }
            }
        }
        if i != 5 {
            sit(engine, trainee, post_test, trainee.ability, &mut rng).await?;
        }
    }
    Ok(())
}

/// The batch is over.
pub async fn finish(engine: &Engine, admin: &CurrentUser, batch: &Batch) -> AppResult<()> {
    let input = BatchInput {
        status: Some(BatchStatus::Finished),
        ..BatchInput::default()
    };
    schedule::update_batch(&engine.db, admin, batch.id, input).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn batches_run_on_working_days() {
        let days = working_days(date!(2026 - 03 - 12), 5);
        assert_eq!(
            days,
            vec![
                date!(2026 - 03 - 12),
                date!(2026 - 03 - 13),
                date!(2026 - 03 - 16),
                date!(2026 - 03 - 17),
                date!(2026 - 03 - 18)
            ]
        );
        assert_eq!(monday_of(date!(2026 - 12 - 02)), date!(2026 - 11 - 30));
        assert_eq!(monday_of(date!(2026 - 11 - 30)), date!(2026 - 11 - 30));
    }
}

//! Getting exam day ready, the way a BKD administrator would: a question
//! bank, a published course, a batch with every trainee enrolled from one
//! spreadsheet, a 40-question quiz; then every trainee signs in.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::load::{Phase, Samples};
use crate::process::ADMIN_PASSWORD;
use crate::trainee::{Api, Trainee, expect};
use bimtek::accounts::password;
use bimtek::entities::user;

pub const QUESTIONS: usize = 40;
const TRAINEE_PASSWORD: &str = "peserta-ujian-2026";
/// What a first-time trainee chooses (the policy refuses one with their name in it).
const OWN_PASSWORD: &str = "kopi-tubruk-pagi-2026";

/// A NIP that passes validation for each `i` up to about a hundred thousand:
/// born 15 Jan–Dec 1970+, appointed March 2015, male, sequence 001–999.
pub fn nip(i: usize) -> String {
    let block = i / 999;
    format!(
        "{}{:02}152015031{:03}",
        1970 + block / 12,
        block % 12 + 1,
        i % 999 + 1
    )
}

/// A bank of 40 auto-graded questions of every kind, tagged for the quiz.
fn bank() -> String {
    let mut gift = String::new();
    for n in 1..=QUESTIONS {
        let head = format!("// [id:ujian-{n}] [tag:ujian:hari-h]\n::Soal {n}::");
        let body = match n % 6 {
            0 => format!(
                "Perangkat mana yang bekerja di lapisan jaringan pada soal nomor {n}? {{=Router#Benar ~Hub#Lapisan fisik ~Switch L2#Lapisan data ~Repeater#Lapisan fisik}}"
            ),
            1 => format!(
                "Protokol mana yang mengenkripsi lalu lintas (soal {n})? {{~%50%SSH ~%50%HTTPS ~%-100%Telnet ~%-100%FTP}}"
            ),
            2 => format!("Kata sandi yang kuat sebaiknya dicatat di kertas (soal {n}). {{F}}"),
            3 => format!("Kepanjangan DNS (soal {n})? {{=Domain Name System =DNS}}"),
            4 => format!("Jumlah host yang dapat dipakai pada subnet /26 (soal {n})? {{#62:0}}"),
            _ => format!(
                "Pasangkan layanan dengan port bawaannya (soal {n}). {{=DNS -> 53 =HTTP -> 80 =HTTPS -> 443 =SSH -> 22}}"
            ),
        };
        gift.push_str(&head);
        gift.push_str(&body);
        gift.push_str("\n\n");
    }
    gift
}

pub struct Exam {
    pub quiz_id: Uuid,
    /// A second quiz (the module's practice) for starts back to back.
    pub practice_id: Uuid,
    /// Who signs in with a password.
    pub nips: Vec<String>,
    /// Who signs in for the first time with the code on their activation slip.
    pub first_time: Vec<(String, String)>,
}

/// Builds everything through the API as the administrator. Trainee
/// passwords are set straight in the database: hashing thousands of them
/// through the API would measure Argon2, which the sign-in phase does.
pub async fn prepare(api: &Api, database_url: &str, trainees: usize, activations: usize) -> Exam {
    let admin = sign_in(api, "admin", ADMIN_PASSWORD)
        .await
        .expect("admin signs in");
    let call = |method: Method, path: &str| api.request(method, path, &admin);

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bank().into_bytes()).file_name("ujian.gift"),
    );
    let report = expect(
        call(Method::POST, "/api/v1/question-banks/import").multipart(form),
        &[200],
    )
    .await
    .expect("bank imports");
    let bank_id = report["bank_id"].clone();

    let course = expect(
        call(Method::POST, "/api/v1/courses").json(&json!({
            "code": "UJI-HARI-H", "title": "Bimtek Pranata Komputer — Uji Hari H",
            "track": "pranata_komputer", "target_level": "terampil",
        })),
        &[201],
    )
    .await
    .expect("course created");
    let course_id = course["id"].as_str().expect("course id").to_owned();
    let module = expect(
        call(Method::POST, &format!("/api/v1/courses/{course_id}/modules")).json(&json!({
            "title": "Jaringan dan Keamanan", "jp": 4, "body_markdown": "# Jaringan\n\nBacaan modul.",
        })),
        &[201],
    )
    .await
    .expect("module created");
    expect(
        call(Method::PATCH, &format!("/api/v1/courses/{course_id}"))
            .json(&json!({ "status": "published" })),
        &[200],
    )
    .await
    .expect("course published");

    let today = bimtek::clock::today_wib().to_string();
    let batch = expect(
        call(Method::POST, "/api/v1/batches").json(&json!({
            "course_id": course_id, "name": "Angkatan Uji Beban", "starts_on": today, "ends_on": today,
            "venue": "Aula BKD", "capacity": trainees, "status": "open",
            "sessions": [{ "day": today, "starts_at": "07:00", "ends_at": "17:00" }],
        })),
        &[201],
    )
    .await
    .expect("batch created");
    let batch_id = batch["id"].as_str().expect("batch id").to_owned();

    let nips: Vec<String> = (0..trainees).map(nip).collect();
    // One spreadsheet per 10,000 trainees: the most one upload takes.
    for (part, chunk) in nips.chunks(bimtek::tabular::MAX_DATA_ROWS).enumerate() {
        let mut list = String::from("nip,nama,unit_kerja\n");
        for (i, nip) in chunk.iter().enumerate() {
            let n = part * bimtek::tabular::MAX_DATA_ROWS + i;
            list.push_str(&format!("{nip},Peserta Uji {n},Dinas Kominfo\n"));
        }
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(list.into_bytes()).file_name("peserta.csv"),
        );
        expect(
            call(
                Method::POST,
                &format!("/api/v1/batches/{batch_id}/enrolments/import?create_missing=true"),
            )
            .multipart(form),
            &[200],
        )
        .await
        .expect("trainees enrolled");
    }

    let module_id = module["id"].as_str().expect("module id").to_owned();
    let quiz_id = create_quiz(api, &admin, &module_id, &bank_id).await;
    let practice = expect(
        call(
            Method::POST,
            &format!("/api/v1/courses/{course_id}/modules"),
        )
        .json(&json!({
            "title": "Latihan Jaringan", "jp": 2, "body_markdown": "# Latihan\n\nSoal latihan.",
        })),
        &[201],
    )
    .await
    .expect("practice module created");
    let practice_id = create_quiz(
        api,
        &admin,
        practice["id"].as_str().expect("module id"),
        &bank_id,
    )
    .await;
    let activations = activations.min(nips.len());
    let first_time_nips = nips[nips.len() - activations..].to_vec();
    set_trainee_passwords(database_url, &first_time_nips).await;
    let first_time = activation_codes(api, &admin, database_url, &first_time_nips).await;
    let mut nips = nips;
    nips.truncate(nips.len() - activations);
    Exam {
        quiz_id,
        practice_id,
        nips,
        first_time,
    }
}

async fn create_quiz(api: &Api, admin: &str, module_id: &str, bank_id: &serde_json::Value) -> Uuid {
    let quiz = expect(
        api.request(
            Method::POST,
            &format!("/api/v1/modules/{module_id}/quiz"),
            admin,
        )
        .json(&json!({
            "bank_id": bank_id,
            "selection": { "rules": [{ "tag": "ujian:hari-h", "count": QUESTIONS }] },
            "time_limit_seconds": 3 * 3600, "max_attempts": 1,
            "shuffle_questions": true, "shuffle_choices": true,
        })),
        &[201],
    )
    .await
    .expect("quiz created");
    quiz["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("quiz id")
}

/// Activation slips for the accounts of `nips`, as the administrator
/// downloads them (XLSX): each NIP with its code.
async fn activation_codes(
    api: &Api,
    admin: &str,
    database_url: &str,
    nips: &[String],
) -> Vec<(String, String)> {
    if nips.is_empty() {
        return Vec::new();
    }
    let db = sea_orm::Database::connect(database_url)
        .await
        .expect("connect to the database");
    let ids: Vec<Uuid> = user::Entity::find()
        .filter(user::Column::Nip.is_in(nips.iter().cloned()))
        .all(&db)
        .await
        .expect("read the accounts")
        .into_iter()
        .map(|u| u.id)
        .collect();
    db.close().await.ok();
    let response = api
        .request(Method::POST, "/api/v1/users/activation?format=xlsx", admin)
        .json(&json!({ "user_ids": ids }))
        .send()
        .await
        .expect("activation sheet");
    assert_eq!(response.status().as_u16(), 200, "activation sheet issued");
    let bytes = response.bytes().await.expect("activation sheet body");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .expect("activation sheet is XLSX");
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("a sheet")
        .expect("the sheet reads");
    // Columns: Nama, NIP, Nama pengguna, Unit kerja, Kode aktivasi, …
    sheet
        .rows()
        .skip(1)
        .map(|row| (row[1].to_string(), row[4].to_string()))
        .collect()
}

/// Everyone but `first_time` gets the same password.
async fn set_trainee_passwords(database_url: &str, first_time: &[String]) {
    let hash = password::hash(TRAINEE_PASSWORD.into())
        .await
        .expect("hash a password");
    let db = sea_orm::Database::connect(database_url)
        .await
        .expect("connect to the database");
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .filter(user::Column::PasswordHash.is_null())
        .filter(user::Column::Nip.is_not_in(first_time.iter().cloned()))
        .exec(&db)
        .await
        .expect("set trainee passwords");
    db.close().await.ok();
}

async fn sign_in(api: &Api, login: &str, password: &str) -> Result<String, String> {
    let body = expect(
        api.client
            .post(api.url("/api/v1/auth/login"))
            .json(&json!({ "login": login, "password": password })),
        &[200],
    )
    .await?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token in {body}"))
}

/// Every trainee signs in, `concurrency` at a time.
pub async fn sign_in_all(api: &Api, nips: &[String], concurrency: usize) -> (Vec<Trainee>, Phase) {
    let api = api.clone();
    tokens_for("sign-in", nips.to_vec(), 0, concurrency, move |nip| {
        let api = api.clone();
        async move { sign_in(&api, &nip, TRAINEE_PASSWORD).await }
    })
    .await
}

/// The first-time trainees activate their accounts with the code on their
/// slip and a password of their own, `concurrency` at a time; their seeds
/// follow the signed-in trainees'.
pub async fn activate_all(
    api: &Api,
    first_time: &[(String, String)],
    seed_from: usize,
    concurrency: usize,
) -> (Vec<Trainee>, Phase) {
    let api = api.clone();
    let people = first_time.to_vec();
    tokens_for(
        "activation",
        people,
        seed_from,
        concurrency,
        move |(nip, code)| {
            let api = api.clone();
            async move { activate(&api, &nip, &code).await }
        },
    )
    .await
}

/// Each person gets a session token through `get_token`, `concurrency` at
/// a time, and becomes a trainee whose seed is `seed_from` plus their place.
async fn tokens_for<P, F, Fut>(
    name: &str,
    people: Vec<P>,
    seed_from: usize,
    concurrency: usize,
    get_token: F,
) -> (Vec<Trainee>, Phase)
where
    P: Send + 'static,
    F: Fn(P) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<String, String>> + Send,
{
    let slots = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let tasks: Vec<_> = people
        .into_iter()
        .enumerate()
        .map(|(i, person)| {
            let (get_token, slots) = (get_token.clone(), slots.clone());
            tokio::spawn(async move {
                let _slot = slots.acquire().await.expect("semaphore");
                let mut samples = Samples::default();
                let token = samples.time(get_token(person)).await;
                (
                    token.map(|t| Trainee::new(t, (seed_from + i) as u64)),
                    samples,
                )
            })
        })
        .collect();
    let (got, samples) = crate::load::join_all(tasks).await;
    let phase = Phase::new(name, samples, started.elapsed());
    (got.into_iter().flatten().collect(), phase)
}

async fn activate(api: &Api, nip: &str, code: &str) -> Result<String, String> {
    let body = expect(
        api.client
            .post(api.url("/api/v1/auth/activate"))
            .json(&json!({
                "login": nip, "code": code, "new_password": OWN_PASSWORD,
            })),
        &[200],
    )
    .await?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token in {body}"))
}

/// Raw Argon2id verifications per second on this machine, with the
/// server's own parameters and as many threads as cores.
pub async fn argon2_verify_rate(duration: Duration) -> f64 {
    let hash = password::hash(TRAINEE_PASSWORD.into())
        .await
        .expect("hash a password");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let tasks: Vec<_> = (0..threads)
        .map(|_| {
            let hash = hash.clone();
            tokio::spawn(async move {
                let mut count = 0u32;
                while started.elapsed() < duration {
                    let ok = password::verify(TRAINEE_PASSWORD.into(), Some(hash.clone()))
                        .await
                        .expect("verify");
                    assert!(ok, "the password verifies");
                    count += 1;
                }
                count
            })
        })
        .collect();
    let mut total = 0u32;
    for task in tasks {
        total += task.await.expect("verify task");
    }
    f64::from(total) / started.elapsed().as_secs_f64()
}

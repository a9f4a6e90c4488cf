//! A whole Bimtek day through the pages alone, on the binary started from
//! an empty directory (embedded SQLite, built-in banks, mail through a real
//! SMTP server the test runs): an administrator imports 44 trainees and 2
//! assessors from XLSX and prints activation slips; a trainee activates on
//! a phone, reads the modules and takes a quiz with an essay, which an
//! assessor marks; the exam is built from a template, sat, graded by both
//! assessors and released; certificates are issued, a misspelt name is
//! corrected and the certificate replaced, and the trainee downloads hers;
//! another trainee resets a forgotten password by e-mail.
//!
//! The test itself looks up the answer key (through the API, as staff) to
//! answer like a well-prepared candidate; everything a person does is a
//! click or a keystroke on a page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::{Client, Locator};
use libtest_mimic::{Failed, Trial};
use serde_json::{Value, json};

use crate::browser::{
    Browser, Scripts, click, element, fill, page_text, sign_in, submit, text_of, wait_for_path,
    wait_text,
};
use crate::process::ServerProcess;
use crate::smtp_sink::SmtpSink;
use crate::support::{ADMIN_PASSWORD, Backend, Session, TestApp};

const TRAINEES: usize = 44;
const DEWI_TYPO: &str = "Dewi Lestri";
const DEWI: &str = "Dewi Lestari, S.Kom.";
const DEWI_PASSWORD: &str = "Kopi-Tidar-Pagi-2026";
const RINA_PASSWORD: &str = "Bukit-Tidar-Senja-77";
const ESSAY: &str = "Topologi star memusatkan kabel pada satu switch sehingga gangguan \
                     satu kabel tidak memutus host lain; VLAN memisahkan lalu lintas \
                     bagian keuangan dari tamu dan subnet /26 cukup untuk 62 host.";

pub fn trial(browser: Browser) -> Trial {
    Trial::test("browser::a_whole_bimtek_day_through_the_pages", move || {
        crate::runtime().block_on(async move {
            tokio::spawn(day(browser))
                .await
                .map_err(|e| Failed::from(crate::panic_message(e)))
        })
    })
}

fn nip(i: usize) -> String {
    crate::given::nip(4000 + i as u32)
}

struct Person {
    nip: String,
    name: String,
    email: String,
}

fn people() -> (Vec<Person>, Vec<Person>) {
    let trainees = (0..TRAINEES)
        .map(|i| Person {
            nip: nip(i),
            name: match i {
                0 => DEWI_TYPO.to_owned(),
                1 => "Rina Wulandari".to_owned(),
                n => format!("Peserta Nomor {}", n + 1),
            },
            email: format!("peserta{}@magelangkota.go.id", i + 1),
        })
        .collect();
    let assessors = (0..2)
        .map(|i| Person {
            nip: nip(100 + i),
            name: format!("Asesor {}, S.Kom., M.T.", ["Satu", "Dua"][i]),
            email: format!("asesor{}@magelangkota.go.id", i + 1),
        })
        .collect();
    (trainees, assessors)
}

/// The spreadsheet an OPD sends: NIP as text, roles in Indonesian.
fn roster_xlsx(dir: &Path, trainees: &[Person], assessors: &[Person]) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = ["NIP", "Nama", "Email", "Unit Kerja", "Jabatan", "Peran"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = trainees
        .iter()
        .map(|p| (p, "Dinas Kominfo", "Pranata Komputer Terampil", "peserta"))
        .chain(
            assessors
                .iter()
                .map(|p| (p, "BKD Kota Magelang", "Asesor SDM Aparatur", "asesor")),
        );
    for (r, (p, unit, jabatan, role)) in rows.enumerate() {
        let row = r as u32 + 1;
        let cells: [&str; 6] = [&p.nip, &p.name, &p.email, unit, jabatan, role];
        for (c, value) in cells.into_iter().enumerate() {
            sheet.write_string(row, c as u16, value).unwrap();
        }
    }
    let path = dir.join("peserta_dan_asesor.xlsx");
    book.save(&path).unwrap();
    path
}

async fn day(browser: Browser) {
    let _ = std::fs::remove_dir_all(screenshot_dir());
    let home = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let server = ServerProcess::start_in(
        Some(home.path()),
        "sqlite://bimtek.db?mode=rwc",
        &[
            ("BIMTEK_BUILT_IN_BANKS", "true"),
            ("BIMTEK_SMTP_URL", &smtp),
        ],
    )
    .await;
    assert!(
        home.path().join("bimtek.db").is_file(),
        "the embedded database lives in the working directory"
    );
    let app = TestApp::external(&server.base_url, &Backend::Sqlite);
    let downloads = tempfile::tempdir().unwrap();
    let mut driver =
        crate::browser::start_with_downloads(&browser, Scripts::On, downloads.path()).await;
    let outcome = tokio::spawn(steps(
        driver.client.clone(),
        app,
        sink,
        downloads.path().to_owned(),
    ))
    .await;
    driver.close().await;
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
    drop(server);
}

async fn sign_out(client: &Client) {
    submit(client, "header form[action='/logout'] button").await;
    wait_for_path(client, "/login").await;
}

/// Waits for a finished download whose name starts with `stem`.
async fn downloaded(dir: &Path, stem: &str) -> Vec<u8> {
    for _ in 0..200 {
        let done = std::fs::read_dir(dir).unwrap().flatten().find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(stem) && !name.ends_with(".crdownload")
        });
        if let Some(entry) = done {
            let bytes = std::fs::read(entry.path()).unwrap();
            if !bytes.is_empty() {
                return bytes;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no download {stem}* in {}", dir.display());
}

/// The code printed on the slip of the person with `nip`.
fn code_on_slip(pdf: &[u8], nip: &str) -> String {
    let text = String::from_utf8_lossy(pdf);
    let at = text
        .find(&format!("NIP: {nip}"))
        .unwrap_or_else(|| panic!("no slip for {nip}"));
    let code =
        regex::Regex::new(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}").unwrap();
    code.find(&text[at..]).unwrap().as_str().to_owned()
}

/// How a well-prepared candidate answers each question of the bank, by
/// question id: what the page's inputs should hold.
async fn answer_key(staff: &Session) -> HashMap<String, Value> {
    let (_, banks) = staff.get("/api/v1/question-banks").await;
    let mut key = HashMap::new();
    for bank in banks.as_array().unwrap() {
        let id = bank["id"].as_str().unwrap();
        let (_, list) = staff
            .get(&format!("/api/v1/question-banks/{id}/questions"))
            .await;
        for q in list["questions"].as_array().unwrap() {
            let body = &q["body"];
            let right = |list: &Value| -> Vec<Value> {
                list.as_array()
                    .unwrap()
                    .iter()
                    .filter(|a| a["fraction"].as_f64().unwrap() > 0.0)
                    .cloned()
                    .collect()
            };
            let answer = match body["type"].as_str().unwrap() {
                "multichoice" => json!({
                    "kind": "choices",
                    "texts": right(&body["choices"]).iter().map(|c| c["text"].clone()).collect::<Vec<_>>(),
                }),
                "truefalse" => json!({ "kind": "truefalse", "value": body["correct"] }),
                "shortanswer" => {
                    json!({ "kind": "text", "text": right(&body["answers"])[0]["text"] })
                }
                "numerical" => {
                    let best = right(&body["answers"])
                        .into_iter()
                        .find(|a| a["value"].is_number())
                        .unwrap();
                    let value = best["value"].as_f64().unwrap();
                    json!({ "kind": "text", "text": format!("{value}") })
                }
                "matching" => json!({
                    "kind": "matching",
                    "pairs": body["pairs"].as_array().unwrap().iter()
                        .filter(|p| p["left"] != "")
                        .map(|p| json!([p["left"], p["right"]]))
                        .collect::<Vec<_>>(),
                }),
                "essay" => json!({ "kind": "text", "text": ESSAY }),
                _ => continue,
            };
            key.insert(q["id"].as_str().unwrap().to_owned(), answer);
        }
    }
    key
}

/// Fills the questions on the page from the answer key, as a candidate
/// typing and clicking would (the page's own events fire).
const ANSWER_PAGE: &str = r#"
const key = arguments[0];
const norm = s => s.replace(/\s+/g, ' ').trim();
const fire = el => { el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true })); };
let answered = 0;
for (const box of document.querySelectorAll('fieldset[data-question]')) {
  const a = key[box.dataset.question];
  if (!a) continue;
  if (a.kind === 'choices') {
    const wanted = a.texts.map(norm);
    for (const label of box.querySelectorAll('ul.choices label.check')) {
      const input = label.querySelector('input');
      if (wanted.includes(norm(label.textContent)) !== input.checked) input.click();
    }
  } else if (a.kind === 'truefalse') {
    box.querySelector(`input[value="${a.value}"]`).click();
  } else if (a.kind === 'text') {
    const input = box.querySelector('textarea, input[name^="a-"]');
    input.value = a.text; fire(input);
  } else if (a.kind === 'matching') {
    for (const label of box.querySelectorAll('.matching label')) {
      const item = norm(label.querySelector('span.item').textContent);
      const pair = a.pairs.find(p => norm(p[0]) === item);
      const select = label.querySelector('select');
      const option = [...select.options].find(o => pair && norm(o.textContent) === norm(pair[1]));
      if (option) { select.value = option.value; fire(select); }
    }
  }
  answered += 1;
}
return answered;
"#;

/// Answers every page of the open attempt and hands it in.
async fn take(client: &Client, key: &HashMap<String, Value>) -> usize {
    let key = serde_json::to_value(key).unwrap();
    let mut answered = 0;
    loop {
        element(client, "fieldset[data-question]").await;
        let n = client
            .execute(ANSWER_PAGE, vec![key.clone()])
            .await
            .unwrap();
        answered += n.as_u64().unwrap() as usize;
        if client
            .find(Locator::Css("#quiz-form button[value=next]"))
            .await
            .is_ok()
        {
            submit(client, "#quiz-form button[value=next]").await;
        } else {
            submit(client, "#quiz-form button[value=summary]").await;
            break;
        }
    }
    let summary = page_text(client).await;
    assert!(summary.contains("sudah dijawab"), "{summary}");
    submit(client, "form[action$='/submit'] button[type=submit]").await;
    answered
}

/// The id at the end of the current address (`/admin/batches/{id}`).
async fn id_in_path(client: &Client) -> String {
    let url = client.current_url().await.unwrap();
    url.path_segments().unwrap().next_back().unwrap().to_owned()
}

async fn set_date(client: &Client, css: &str, value: &str) {
    // Date inputs take the value through script: typing depends on the locale.
    client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

async fn steps(client: Client, app: TestApp, sink: SmtpSink, downloads: PathBuf) {
    let (trainees, assessors) = people();
    let dewi = &trainees[0];
    let rina = &trainees[1];
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(7)).date();
    let files = tempfile::tempdir().unwrap();

    // 07.30 — the administrator imports the roster and prints the slips.
    client.set_window_size(1366, 768).await.unwrap();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    client.goto(&app.url("/admin/users/import")).await.unwrap();
    let roster = roster_xlsx(files.path(), &trainees, &assessors);
    element(&client, "input[type=file]")
        .await
        .send_keys(&roster.display().to_string())
        .await
        .unwrap();
    submit(
        &client,
        "form[action='/admin/users/import'] button[type=submit]",
    )
    .await;
    let done = wait_text(&client, ".alert.ok").await;
    assert!(done.contains("46 dibuat"), "{done}");
    click(
        &client,
        "form[action='/admin/users/activation'] input[name=confirm]",
    )
    .await;
    click(
        &client,
        "form[action='/admin/users/activation'] button[type=submit]",
    )
    .await;
    let slips = downloaded(&downloads, "kode_aktivasi").await;
    assert!(slips.starts_with(b"%PDF"));
    let dewi_code = code_on_slip(&slips, &dewi.nip);

    // The course: two modules, a quiz with one essay, published.
    client.goto(&app.url("/admin/courses")).await.unwrap();
    fill(&client, "#baru input[name=code]", "PK-2026-I").await;
    fill(
        &client,
        "#baru input[name=title]",
        "Bimtek Calon Pranata Komputer",
    )
    .await;
    submit(&client, "#baru button[type=submit]").await;
    let course_id = id_in_path(&client).await;
    for (title, body) in [
        (
            "Jaringan kantor",
            "Topologi **star**, VLAN, dan pembagian subnet.",
        ),
        (
            "Keamanan informasi",
            "Kata sandi, cadangan data 3-2-1, dan pembaruan.",
        ),
    ] {
        fill(&client, "#modul-baru input[name=title]", title).await;
        fill(&client, "#modul-baru input[name=jp]", "4").await;
        fill(&client, "#modul-baru textarea[name=body_markdown]", body).await;
        submit(&client, "#modul-baru button[value=save]").await;
    }
    let first_module = element(&client, ".modules li a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    client
        .goto(&app.url(&format!("{first_module}/quiz")))
        .await
        .unwrap();
    fill(&client, "input[name=title]", "Kuis jaringan kantor").await;
    let bank = client
        .execute(
            "const o = [...document.querySelectorAll('select[name=bank_id] option')]\
             .find(o => o.textContent.toLowerCase().includes('pranata')); return o ? o.value : null;",
            vec![],
        )
        .await
        .unwrap();
    element(&client, "select[name=bank_id]")
        .await
        .select_by_value(bank.as_str().expect("the built-in bank is offered"))
        .await
        .unwrap();
    fill(
        &client,
        "textarea[name=rules]",
        "4 × unit:jaringan, jenis pilihan-ganda\n1 × unit:jaringan, jenis esai",
    )
    .await;
    fill(&client, "input[name=pass_percent]", "60").await;
    fill(&client, "input[name=max_attempts]", "1").await;
    let required = element(&client, "input[name=required]").await;
    if !required.is_selected().await.unwrap() {
        required.click().await.unwrap();
    }
    submit(&client, "form[action$='/quiz'] .actions button").await;
    let saved = page_text(&client).await;
    assert!(saved.contains("Lihat sebagai peserta"), "{saved}");
    client
        .goto(&app.url(&format!("/admin/courses/{course_id}")))
        .await
        .unwrap();
    click(
        &client,
        "form[action$='/status'] input[value=published] ~ button",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The batch: today, one session, the 44 trainees enrolled from a list.
    client
        .goto(&app.url(&format!(
            "/admin/batches?month={}-{:02}",
            today.year(),
            today.month() as u8
        )))
        .await
        .unwrap();
    element(&client, "#baru select[name=course_id]")
        .await
        .select_by_value(&course_id)
        .await
        .unwrap();
    fill(&client, "#baru input[name=name]", "Angkatan I").await;
    let day = today.to_string();
    set_date(&client, "#baru input[name=starts_on]", &day).await;
    set_date(&client, "#baru input[name=ends_on]", &day).await;
    fill(&client, "#baru input[name=venue]", "Ruang Rapat BKD").await;
    submit(&client, "#baru button[type=submit]").await;
    let batch_id = id_in_path(&client).await;
    set_date(&client, "#jadwal input[name=day]", &day).await;
    submit(&client, "#jadwal form.grid button[type=submit]").await;
    let list = files.path().join("daftar_peserta.csv");
    let nips: Vec<&str> = trainees.iter().map(|p| p.nip.as_str()).collect();
    std::fs::write(&list, format!("nip\n{}\n", nips.join("\n"))).unwrap();
    element(&client, "#peserta input[type=file]")
        .await
        .send_keys(&list.display().to_string())
        .await
        .unwrap();
    submit(
        &client,
        "form[action$='/enrolments/import'] button[type=submit]",
    )
    .await;
    let enrolled = wait_text(&client, "#peserta .alert.ok").await;
    assert!(enrolled.contains("44 terdaftar"), "{enrolled}");
    element(
        &client,
        &format!("#kehadiran select[aria-label^='{DEWI_TYPO},']"),
    )
    .await
    .select_by_value("present")
    .await
    .unwrap();
    submit(&client, "#kehadiran button[type=submit]").await;

    // Both assessors on the exam, built from the shipped template.
    client.goto(&app.url("/admin/exams")).await.unwrap();
    element(&client, "form[action='/admin/exams'] select[name=batch_id]")
        .await
        .select_by_value(&batch_id)
        .await
        .unwrap();
    element(&client, "form[action='/admin/exams'] select[name=template]")
        .await
        .select_by_value("pranata_komputer")
        .await
        .unwrap();
    submit(&client, "form[action='/admin/exams'] button[type=submit]").await;
    let exam_id = id_in_path(&client).await;
    assert!(page_text(&client).await.contains("Ujian dibuat"));
    for assessor in &assessors {
        let option = client
            .execute(
                "return [...document.querySelectorAll('select[name=user_id] option')]\
                 .find(o => o.textContent.startsWith(arguments[0])).value;",
                vec![json!(assessor.name)],
            )
            .await
            .unwrap();
        element(&client, "select[name=user_id]")
            .await
            .select_by_value(option.as_str().unwrap())
            .await
            .unwrap();
        submit(&client, "form[action$='/assessors'] button[type=submit]").await;
    }
    let staffed = text_of(&client, "main").await;
    assert!(staffed.contains("Asesor Satu") && staffed.contains("Asesor Dua"));
    sign_out(&client).await;

    // 08.00 — Dewi, on her phone, activates her account with the slip.
    client.set_window_size(360, 740).await.unwrap();
    client.goto(&app.url("/login")).await.unwrap();
    submit(&client, "a[href='/activate']").await;
    fill(&client, "#login", &dewi.nip).await;
    fill(
        &client,
        "#code",
        &dewi_code.to_lowercase().replace('-', " "),
    )
    .await;
    fill(&client, "#new_password", DEWI_PASSWORD).await;
    fill(&client, "#new_password2", DEWI_PASSWORD).await;
    submit(&client, "form[action='/activate'] button").await;
    wait_for_path(&client, "/").await;
    assert!(page_text(&client).await.contains("Akun Anda aktif"));
    crate::browser::fits_the_screen(&client, "the home page").await;

    // She reads both modules, then takes the quiz.
    client.goto(&app.url("/courses")).await.unwrap();
    submit(&client, ".tile a").await;
    submit(&client, ".modules li a").await;
    assert!(text_of(&client, "article").await.contains("Topologi"));
    submit(&client, ".module-nav form button").await;
    let quiz_link = element(&client, "a[href^='/quizzes/']").await;
    let quiz_path = quiz_link.attr("href").await.unwrap().unwrap();
    client
        .goto(&app.url(&format!("/courses/{course_id}")))
        .await
        .unwrap();
    let second = client
        .find_all(Locator::Css(".modules li a"))
        .await
        .unwrap()
        .pop()
        .unwrap();
    second.click().await.unwrap();
    assert!(wait_text(&client, "article").await.contains("cadangan"));
    submit(&client, ".module-nav form button").await;
    crate::browser::fits_the_screen(&client, "a module").await;

    let staff = app.admin().await;
    let key = answer_key(&staff).await;
    client.goto(&app.url(&quiz_path)).await.unwrap();
    submit(&client, "form[action$='/start'] button").await;
    let answered = take(&client, &key).await;
    assert_eq!(answered, 5);
    let waiting = page_text(&client).await;
    assert!(waiting.contains("menunggu penilaian"), "{waiting}");
    sign_out(&client).await;

    // An assessor marks the essay on a tablet; the quiz is then graded.
    client.set_window_size(820, 1180).await.unwrap();
    let assessor_password = "Gunung-Sumbing-Biru-9";
    activate_by_admin_slip(&client, &app, &slips, &assessors[0], assessor_password).await;
    client.goto(&app.url("/quiz-marking")).await.unwrap();
    let queue = page_text(&client).await;
    assert!(
        queue.contains("Kuis jaringan kantor") && !queue.contains(DEWI_TYPO),
        "{queue}"
    );
    let max_points = text_of(&client, "tbody tr td:last-child").await;
    submit(&client, "tbody a[href^='/quiz-marking/']").await;
    assert!(page_text(&client).await.contains("Topologi star"));
    fill(&client, "input[name=points]", &max_points).await;
    fill(&client, "textarea[name=comment]", "Lengkap dan tepat.").await;
    submit(
        &client,
        "form[action^='/quiz-marking/'] button[type=submit]",
    )
    .await;
    let marked = page_text(&client).await;
    assert!(
        marked.contains("Tidak ada esai kuis yang menunggu"),
        "{marked}"
    );
    sign_out(&client).await;

    // Dewi sits the exam on the phone.
    client.set_window_size(360, 740).await.unwrap();
    sign_in(&client, &app, &dewi.nip, DEWI_PASSWORD).await;
    client.goto(&app.url(&quiz_path)).await.unwrap();
    assert!(page_text(&client).await.contains("Lulus"));
    client.goto(&app.url("/my/exams")).await.unwrap();
    submit(&client, &format!("a[href='/exams/{exam_id}']")).await;
    submit(&client, "form[action$='/start'] button").await;
    let answered = take(&client, &key).await;
    assert_eq!(answered, 103, "100 objective questions and 3 tasks");
    sign_out(&client).await;

    // Both assessors grade every task on the tablet (double marking).
    client.set_window_size(820, 1180).await.unwrap();
    let second_password = "Candi-Mendut-Pagi-88";
    activate_by_admin_slip(&client, &app, &slips, &assessors[1], second_password).await;
    grade_everything(&client, &app).await;
    sign_out(&client).await;
    sign_in(&client, &app, &assessors[0].nip, assessor_password).await;
    grade_everything(&client, &app).await;
    sign_out(&client).await;

    // The administrator releases the results and issues the certificates.
    client.set_window_size(1366, 768).await.unwrap();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    client
        .goto(&app.url(&format!("/admin/exams/{exam_id}")))
        .await
        .unwrap();
    click(&client, "form[action$='/release'] input[name=confirm]").await;
    submit(&client, "form[action$='/release'] button[type=submit]").await;
    let released = page_text(&client).await;
    assert!(released.contains("Dirilis"), "{released}");
    assert!(
        released.contains("Kompeten") && !released.contains("Belum Kompeten"),
        "{released}"
    );
    client
        .goto(&app.url(&format!("/admin/batches/{batch_id}/certificates")))
        .await
        .unwrap();
    click(
        &client,
        "form[action$='/certificates/issue'] input[name=confirm]",
    )
    .await;
    submit(&client, "form[action$='/certificates/issue'] button").await;
    let issued = page_text(&client).await;
    assert!(
        issued.contains("1 sertifikat terbit (Dewi Lestri)")
            && issued.contains("43 belum memenuhi syarat"),
        "{issued}"
    );

    // Her name was misspelt: corrected on her page, the certificate replaced.
    client.goto(&app.url("/admin/users?q=Dewi")).await.unwrap();
    submit(&client, "table a[href^='/admin/users/']").await;
    let dewi_page = client.current_url().await.unwrap().path().to_owned();
    fill(&client, "form.grid input[name=name]", DEWI).await;
    submit(&client, "form.grid .actions button").await;
    assert!(page_text(&client).await.contains(DEWI));
    client
        .goto(&app.url(&format!("/admin/batches/{batch_id}/certificates")))
        .await
        .unwrap();
    click(&client, "details summary").await;
    fill(
        &client,
        "form[action$='/replace'] input[name=reason]",
        "nama salah ketik",
    )
    .await;
    click(&client, "form[action$='/replace'] input[name=confirm]").await;
    submit(&client, "form[action$='/replace'] button").await;
    let replaced = page_text(&client).await;
    assert!(
        replaced.contains(DEWI) && replaced.contains("dicabut"),
        "{replaced}"
    );
    sign_out(&client).await;

    // Dewi downloads hers on the phone, and checks it as anyone would.
    client.set_window_size(360, 740).await.unwrap();
    sign_in(&client, &app, &dewi.nip, DEWI_PASSWORD).await;
    client.goto(&app.url("/my/certificates")).await.unwrap();
    let mine = page_text(&client).await;
    assert!(
        mine.contains("Sertifikat Kelulusan · 002/") && mine.contains("dicabut nama salah ketik"),
        "{mine}"
    );
    click(&client, "a[href$='/pdf']").await;
    let pdf = downloaded(&downloads, "sertifikat").await;
    assert!(pdf.starts_with(b"%PDF"));
    submit(&client, "a[href^='/verify/']").await;
    let verify_page = client.current_url().await.unwrap().path().to_owned();
    let verified = page_text(&client).await;
    assert!(
        verified.contains(DEWI) && verified.contains("8 JP"),
        "{verified}"
    );
    crate::browser::fits_the_screen(&client, "the verification page").await;
    client.goto(&app.url("/")).await.unwrap();
    sign_out(&client).await;

    // Rina lost her slip: "Lupa kata sandi" mails her a link.
    submit(&client, "a[href='/password-reset']").await;
    fill(&client, "#login", &rina.email).await;
    let mailed_before = sink.count();
    submit(&client, "form[action='/password-reset'] button").await;
    assert!(page_text(&client).await.contains("sudah dikirim"));
    // Her invitation, results and certificate came by mail too; the reset
    // is the one with the link.
    let mut reset = None;
    for _ in 0..50 {
        let mails = sink.wait_for(mailed_before + 1).await;
        reset = mails
            .into_iter()
            .find(|m| m.link("/password-reset/confirm?token=").is_some());
        if reset.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let reset = reset.expect("the reset mail");
    assert_eq!(reset.rcpt_to, vec![format!("<{}>", rina.email)]);
    let link = reset
        .link("/password-reset/confirm?token=")
        .expect("a link in the mail");
    let path = &link[link.find("/password-reset").unwrap()..];
    client.goto(&app.url(path)).await.unwrap();
    fill(&client, "#new_password", RINA_PASSWORD).await;
    fill(&client, "#new_password2", RINA_PASSWORD).await;
    submit(&client, "form[action='/password-reset/confirm'] button").await;
    wait_for_path(&client, "/login").await;
    assert!(
        page_text(&client)
            .await
            .contains("Kata sandi baru tersimpan")
    );
    sign_in(&client, &app, &rina.email, RINA_PASSWORD).await;
    assert_eq!(text_of(&client, ".who-name").await, "Rina Wulandari");
    sign_out(&client).await;

    // Every page each of them used, again at a phone's, a tablet's and a
    // desktop's size.
    let (_, banks) = staff.get("/api/v1/question-banks").await;
    let bank = banks[0]["id"].as_str().unwrap();
    let module = first_module.trim_start_matches("/admin/modules/");
    let quiz = quiz_path.trim_start_matches("/quizzes/");
    let admin_pages: Vec<String> = [
        "/".to_owned(),
        "/admin/users".into(),
        "/admin/users/new".into(),
        "/admin/users/import".into(),
        dewi_page,
        "/admin/courses".into(),
        format!("/admin/courses/{course_id}"),
        format!("/admin/courses/{course_id}/certificates"),
        first_module.clone(),
        format!("{first_module}/quiz"),
        format!("/admin/quizzes/{quiz}/results"),
        "/admin/banks".into(),
        format!("/admin/banks/{bank}"),
        "/admin/batches".into(),
        format!("/admin/batches/{batch_id}"),
        format!("/admin/batches/{batch_id}/certificates"),
        format!("/admin/batches/{batch_id}/surel"),
        format!("/admin/batches/{batch_id}/evaluasi"),
        format!("/admin/batches/{batch_id}/laporan"),
        format!("/admin/courses/{course_id}/evaluasi"),
        format!("/admin/courses/{course_id}/pre-post-test"),
        format!("/admin/batches/{batch_id}/pre-post-test"),
        "/admin/templat-surel".into(),
        "/admin/templat-surel/undangan".into(),
        "/admin/exams".into(),
        format!("/admin/exams/{exam_id}"),
        format!("/admin/exams/{exam_id}/markers"),
        format!("/admin/exams/{exam_id}/audit"),
        "/quiz-marking".into(),
        "/admin/records/jp".into(),
        "/password".into(),
        "/my/data".into(),
    ]
    .into();
    let trainee_pages: Vec<String> = [
        "/".to_owned(),
        "/my/batches".into(),
        "/my/exams".into(),
        format!("/exams/{exam_id}"),
        "/courses".into(),
        format!("/courses/{course_id}"),
        format!("/modules/{module}"),
        quiz_path.clone(),
        "/my/certificates".into(),
        format!("/my/batches/{batch_id}/evaluasi"),
        "/my/data".into(),
        "/checkin".into(),
    ]
    .into();
    let mut assessor_pages: Vec<String> =
        ["/".to_owned(), "/grading".into(), "/quiz-marking".into()].into();
    let public_pages: Vec<String> = [
        "/login".to_owned(),
        "/activate".into(),
        "/password-reset".into(),
        verify_page,
    ]
    .into();
    // The language check catches what it is for, and not Indonesian numbers.
    assert_eq!(
        untranslated("ends_on: 66.7% Submit; 1.250 peserta, 66,7 %"),
        ["ends_on", "66.7%", "Submit"]
    );
    // The console is really read: a missing page logs its 404.
    client.goto(&app.url("/tidak-ada")).await.unwrap();
    let logged = crate::browser::console_errors(&client).await;
    assert!(logged.iter().any(|e| e.contains("404")), "{logged:?}");
    let mut problems = Vec::new();
    problems.extend(walk(&client, &app, "umum", &public_pages).await);
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    problems.extend(walk(&client, &app, "admin", &admin_pages).await);
    client.goto(&app.url("/")).await.unwrap();
    sign_out(&client).await;
    sign_in(&client, &app, &assessors[0].nip, assessor_password).await;
    client.goto(&app.url("/grading")).await.unwrap();
    let graded = element(&client, "table a[href^='/grading/']").await;
    assessor_pages.push(graded.attr("href").await.unwrap().unwrap());
    problems.extend(walk(&client, &app, "asesor", &assessor_pages).await);
    client.goto(&app.url("/")).await.unwrap();
    sign_out(&client).await;
    sign_in(&client, &app, &dewi.nip, DEWI_PASSWORD).await;
    problems.extend(walk(&client, &app, "peserta", &trainee_pages).await);
    assert!(
        problems.is_empty(),
        "pages that scroll sideways, log console errors, have small tap targets or show English (screenshots in {}):\n{}",
        screenshot_dir().display(),
        problems.join("\n")
    );
}

fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-walk")
}

/// What sticks out past the right edge, for the failure message.
const WIDE_ELEMENTS: &str = "return [...document.querySelectorAll('body *')]\
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)\
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))\
    .slice(0, 6).join(' ');";

/// Controls a finger must hit that are shorter than 40 px (links inside
/// running text are exempt, as WCAG 2.5.8 allows).
const SMALL_TARGETS: &str = "return [...document.querySelectorAll(\
    'button, input:not([type=hidden]), select, textarea, summary, a.button, .menu a, .question-nav a, label.check')]\
    .filter(e => e.offsetParent !== null)\
    .map(e => (e.matches('input[type=radio], input[type=checkbox]') && e.closest('label')) || e)\
    .filter(e => { const r = e.getBoundingClientRect(); return r.height < 39.5 && r.width > 0; })\
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + '[' + Math.round(e.getBoundingClientRect().height) + ']')\
    .slice(0, 8).join(' ');";

/// The text a person reads on the page: the header and the main part,
/// without code samples and what the person typed.
const VISIBLE_TEXT: &str = "const parts = [...document.querySelectorAll('header, main')].map(e => {\
      const copy = e.cloneNode(true);\
      copy.querySelectorAll('code, pre, kbd, script, style, input, textarea, select').forEach(x => x.remove());\
      return copy.innerText; });\
    return parts.join('\\n');";

/// Words that are English or a raw key, not Bahasa Indonesia: snake_case
/// identifiers, a decimal point in a percentage, and English the pages
/// must never show.
fn untranslated(text: &str) -> Vec<String> {
    let raw_key = regex::Regex::new(r"\b[a-z]+_[a-z0-9_]+\b").unwrap();
    let decimal_point = regex::Regex::new(r"\b\d+\.\d{1,2}\s?%").unwrap();
    let english = regex::Regex::new(
        r"\b(Submit|Cancel|Save|Delete|Error|Invalid|invalid|Loading|Previous|Search|Username|Settings|Dashboard|undefined|null|NaN|true|false|None|Required|Not Found|Forbidden|Unauthorized|Bad Request)\b",
    )
    .unwrap();
    [raw_key, decimal_point, english]
        .iter()
        .flat_map(|re| re.find_iter(text).map(|m| m.as_str().to_owned()))
        .collect()
}

/// Opens each of `paths` at 360×740, 820×1180 and 1366×768, keeps a
/// screenshot of each, and returns the pages that scroll sideways, log an
/// error in the console, have a control too small for a finger, or show
/// English or a raw key.
async fn walk(client: &Client, app: &TestApp, role: &str, paths: &[String]) -> Vec<String> {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    // What the earlier steps logged is theirs, not these pages'.
    crate::browser::console_errors(client).await;
    let mut problems = Vec::new();
    for (width, height) in [(360, 740), (820, 1180), (1366, 768)] {
        client.set_window_size(width, height).await.unwrap();
        for path in paths {
            client.goto(&app.url(path)).await.unwrap();
            element(client, "main").await;
            let overflow = client
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth;",
                    vec![],
                )
                .await
                .unwrap()
                .as_i64()
                .unwrap();
            let slug: String = path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let shot = client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{width}-{role}{slug}.png")), shot).unwrap();
            for error in crate::browser::console_errors(client).await {
                problems.push(format!("{role} {width}px {path}: console: {error}"));
            }
            let small = client.execute(SMALL_TARGETS, vec![]).await.unwrap();
            let small = small.as_str().unwrap_or_default();
            if !small.is_empty() {
                problems.push(format!(
                    "{role} {width}px {path}: tap targets under 40 px: {small}"
                ));
            }
            if width == 360 {
                let text = client.execute(VISIBLE_TEXT, vec![]).await.unwrap();
                let found = untranslated(text.as_str().unwrap_or_default());
                if !found.is_empty() {
                    problems.push(format!(
                        "{role} {path}: English or raw keys: {}",
                        found.join(", ")
                    ));
                }
            }
            if overflow > 0 {
                let wide = client.execute(WIDE_ELEMENTS, vec![]).await.unwrap();
                problems.push(format!(
                    "{role} {width}px {path}: {overflow} px too wide ({})",
                    wide.as_str().unwrap_or_default()
                ));
            }
        }
    }
    problems
}

/// An assessor activates with the code from the printed sheet.
async fn activate_by_admin_slip(
    client: &Client,
    app: &TestApp,
    slips: &[u8],
    who: &Person,
    password: &str,
) {
    client.goto(&app.url("/activate")).await.unwrap();
    fill(client, "#login", &who.nip).await;
    fill(client, "#code", &code_on_slip(slips, &who.nip)).await;
    fill(client, "#new_password", password).await;
    fill(client, "#new_password2", password).await;
    submit(client, "form[action='/activate'] button").await;
    wait_for_path(client, "/").await;
}

/// Marks every task in the signed-in assessor's queue at the top level.
async fn grade_everything(client: &Client, app: &TestApp) {
    for _ in 0..10 {
        client.goto(&app.url("/grading")).await.unwrap();
        let next = client
            .find(Locator::XPath(
                "//tr[td[contains(., 'belum dinilai')]]//a[starts-with(@href, '/grading/')]",
            ))
            .await;
        let Ok(next) = next else {
            return;
        };
        next.click().await.unwrap();
        element(client, "fieldset.criterion").await;
        client
            .execute(
                "document.querySelectorAll('fieldset.criterion').forEach(f => {\
                   const levels = f.querySelectorAll('input[type=radio]');\
                   levels[levels.length - 1].click(); });",
                vec![],
            )
            .await
            .unwrap();
        fill(client, "textarea[name=comment]", "Memenuhi semua kriteria.").await;
        submit(client, "button[value=final]").await;
        assert!(page_text(client).await.contains("difinalkan"));
    }
    panic!("the grading queue never emptied");
}

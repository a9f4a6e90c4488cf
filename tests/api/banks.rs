//! Question banks: import in every format, versions, roles, export, the
//! shipped banks.

use reqwest::StatusCode;
use serde_json::json;

use crate::cases;
use crate::given::{export, fixture, import};
use crate::support::{
    ADMIN_PASSWORD, TestApp, TestDatabase, assert_error, csrf_token, page, read, sign_in,
};

cases![
    gift_import_versions_questions,
    bad_files_are_refused_whole_with_lines,
    bank_endpoints_refuse_other_roles,
    aiken_and_moodle_xml_import,
    moodle_files_import_as_moodle_does,
    export_then_import_changes_nothing,
    dry_run_previews_without_writing,
    shipped_banks_load_at_start_up,
    scripts_in_questions_are_neutralised,
    bank_pages_upload_preview_and_browse,
];

const SAMPLE: &str = "$CATEGORY: contoh\n\n// [id:q1] [tag:unit:jaringan] [tag:level:terampil]\n::Port::Port HTTPS? {=443 ~80 ~21}\n\n// [id:q2] [tag:unit:keamanan-informasi]\n::MFA::MFA menambah lapisan keamanan. {T}\n\n// [id:q3] [tag:unit:jaringan]\n::Host::Host dalam /26? {#62}\n";

async fn gift_import_versions_questions(app: TestApp) {
    let admin = app.admin().await;
    let (status, report) = import(&admin, "jaringan.gift", SAMPLE, &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["bank_name"], "jaringan");
    assert_eq!(
        (report["version"].as_i64(), report["new"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        report["by_type"],
        json!({ "multichoice": 1, "numerical": 1, "truefalse": 1 })
    );
    let bank_id = report["bank_id"].as_str().unwrap().to_owned();

    let (_, again) = import(&admin, "jaringan.gift", SAMPLE, &[]).await;
    assert_eq!(
        (
            again["version"].as_i64(),
            again["imported"].as_i64(),
            again["unchanged"].as_i64()
        ),
        (Some(1), Some(0), Some(3)),
        "{again}"
    );

    let changed = SAMPLE.replace("{#62}", "{#62 ####2^6 - 2}");
    let (_, v2) = import(&admin, "jaringan.gift", &changed, &[]).await;
    assert_eq!(
        (
            v2["version"].as_i64(),
            v2["changed"].as_i64(),
            v2["unchanged"].as_i64()
        ),
        (Some(2), Some(1), Some(2)),
        "{v2}"
    );

    let (_, newest) = admin
        .get(&format!("/api/v1/question-banks/{bank_id}/questions"))
        .await;
    let host = newest["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["stable_id"] == "q3")
        .unwrap()
        .clone();
    assert_eq!(
        (host["version"].as_i64(), host["general_feedback"].as_str()),
        (Some(2), Some("2^6 - 2"))
    );
    let (_, old) = admin
        .get(&format!(
            "/api/v1/question-banks/{bank_id}/questions?version=1"
        ))
        .await;
    let old_host = old["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["stable_id"] == "q3")
        .unwrap()
        .clone();
    assert_eq!(
        old_host["version"], 1,
        "the old version stays for attempts that used it"
    );
    assert_ne!(old_host["id"], host["id"]);

    let (_, tagged) = admin
        .get(&format!(
            "/api/v1/question-banks/{bank_id}/questions?tag=unit:jaringan"
        ))
        .await;
    assert_eq!(tagged["questions"].as_array().unwrap().len(), 2);
    let (_, by_type) = admin
        .get(&format!(
            "/api/v1/question-banks/{bank_id}/questions?type=truefalse"
        ))
        .await;
    assert_eq!(
        by_type["questions"][0]["body"],
        json!({ "type": "truefalse", "correct": true, "feedback_true": "", "feedback_false": "" })
    );
    let (_, list) = admin.get("/api/v1/question-banks").await;
    assert_eq!(list[0]["question_count"], 3);
    assert_eq!(list[0]["current_version"], 2);
}

async fn bad_files_are_refused_whole_with_lines(app: TestApp) {
    let admin = app.admin().await;
    let bad = "Satu {T}\n\nDua {=a ~b\n\nTiga {#tiga}\n";
    let (status, body) = import(&admin, "rusak.gift", bad, &[]).await;
    assert_error(status, &body, 422, "validation_failed");
    let details = body["error"]["details"].as_array().unwrap();
    let places: Vec<(i64, i64, &str)> = details
        .iter()
        .map(|d| {
            (
                d["row"].as_i64().unwrap(),
                d["column"].as_i64().unwrap(),
                d["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(places, [(3, 5, "rusak.gift"), (5, 8, "rusak.gift")]);
    assert!(details.iter().all(|d| d["field"] == "file"), "{body}");
    assert!(
        details[0]["message"]
            .as_str()
            .unwrap()
            .contains("diharapkan '}'")
    );
    let (_, list) = admin.get("/api/v1/question-banks").await;
    assert_eq!(
        list,
        json!([]),
        "the valid question 'Satu' was not imported either"
    );
    let (status, body) = import(&admin, "latin1.gift", "", &[]).await;
    assert_error(status, &body, 422, "validation_failed");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"Caf\xe9 {T}".to_vec()).file_name("latin1.gift"),
    );
    let (status, body) = read(
        admin
            .request(reqwest::Method::POST, "/api/v1/question-banks/import")
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("UTF-8"),
        "{body}"
    );
}

async fn bank_endpoints_refuse_other_roles(app: TestApp) {
    let admin = app.admin().await;
    let (_, report) = import(&admin, "contoh.gift", SAMPLE, &[]).await;
    let bank_id = report["bank_id"].as_str().unwrap();
    let (_, trainee) = app.user_with_roles("peserta", &["trainee"]).await;
    let (_, assessor) = app.user_with_roles("asesor", &["assessor"]).await;
    let anon = app.anonymous();
    for (who, session, status) in [
        ("trainee", &trainee, 403),
        ("assessor", &assessor, 403),
        ("anonymous", &anon, 401),
    ] {
        let (got, _) = import(session, "x.gift", SAMPLE, &[("name", "lain")]).await;
        assert_eq!(got.as_u16(), status, "{who} import");
    }
    let reads = [
        "/api/v1/question-banks".to_owned(),
        format!("/api/v1/question-banks/{bank_id}/questions"),
        format!("/api/v1/question-banks/{bank_id}/export?format=gift"),
    ];
    for path in &reads {
        assert_eq!(
            trainee.get(path).await.0,
            StatusCode::FORBIDDEN,
            "trainees never see answer keys: {path}"
        );
        assert_eq!(anon.get(path).await.0, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(assessor.get(path).await.0, StatusCode::OK, "{path}");
    }
    let (status, _) = admin
        .get(&format!(
            "/api/v1/question-banks/{}/questions",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = admin.get("/api/v1/question-banks").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "refused imports wrote nothing"
    );
}

async fn aiken_and_moodle_xml_import(app: TestApp) {
    let admin = app.admin().await;
    let (status, aiken) = import(&admin, "aiken.txt", &fixture("aiken/good.txt"), &[]).await;
    assert_eq!(status, StatusCode::OK, "{aiken}");
    assert_eq!(aiken["by_type"], json!({ "multichoice": 6 }));
    let (status, xml) = import(
        &admin,
        "moodle.xml",
        &fixture("moodle_xml/export.xml"),
        &[("format", "moodle_xml")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert_eq!(xml["new"], 12);
    assert_eq!(xml["by_type"]["cloze"], 1, "{xml}");
    let warnings: Vec<&str> = xml["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    // The PNG beside a question's text is kept as question media.
    assert!(warnings.is_empty(), "{warnings:?}");
    let (status, body) = import(
        &admin,
        "rusak.xml",
        &fixture("moodle_xml/malformed_syntax.xml"),
        &[],
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["row"], 29);
    let (status, body) = import(
        &admin,
        "rusak.txt",
        &fixture("aiken/bad.txt"),
        &[("format", "aiken")],
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"].as_array().unwrap().len(), 6);
}

/// Moodle's documentation examples (which repeat a title and whole
/// questions) import whole, with the counts and types Moodle's importer
/// produces; a re-import finds the same questions; only an author's id
/// used twice refuses a file.
async fn moodle_files_import_as_moodle_does(app: TestApp) {
    let admin = app.admin().await;
    let docs = fixture("gift/moodle_docs.gift");
    let (status, report) = import(
        &admin,
        "moodle_docs.gift",
        &docs,
        &[("name", "dokumentasi")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["new"], 43, "{report}");
    assert_eq!(
        report["by_type"],
        json!({ "multichoice": 19, "numerical": 9, "shortanswer": 6, "truefalse": 4,
                "matching": 2, "essay": 2, "description": 1 })
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("Jesus' hometown (2)"), "{warnings}");
    let (status, again) = import(
        &admin,
        "moodle_docs.gift",
        &docs,
        &[("name", "dokumentasi")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(43)),
        "{again}"
    );
    // Exported and read back, in either format, the numbered repeats come
    // back as the same questions.
    let bank_id = report["bank_id"].as_str().unwrap();
    for format in ["gift", "moodle_xml"] {
        let text = export(&admin, bank_id, format).await.text().await.unwrap();
        let (status, back) = import(&admin, "kembali", &text, &[("name", "dokumentasi")]).await;
        assert_eq!(status, StatusCode::OK, "{format}: {back}");
        assert_eq!(
            (
                back["new"].as_u64(),
                back["changed"].as_u64(),
                back["unchanged"].as_u64()
            ),
            (Some(0), Some(0), Some(43)),
            "{format}: {back}"
        );
    }

    let (status, body) = import(
        &admin,
        "ganda.gift",
        "// [id:q1]\nSatu {T}\n\n// [id:q1]\nDua {F}\n",
        &[],
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["row"], 5, "{body}");
    assert!(body.to_string().contains("baris 2"), "{body}");

    let question = |kind: &str, name: &str| {
        format!(
            "<question type=\"{kind}\"><name><text>{name}</text></name><questiontext format=\"html\"><text>Teks {name}</text></questiontext><answer fraction=\"100\"><text>ya</text></answer><answer fraction=\"0\"><text>tidak</text></answer></question>\n"
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<quiz>\n{}{}{}{}</quiz>\n",
        question("multichoice", "Sama"),
        question("calculated", "Hitung"),
        question("multichoice", "Sama"),
        question("calculated", "Hitung lagi"),
    );
    let (status, report) = import(&admin, "moodle.xml", &xml, &[("name", "xml-ganda")]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["new"], 2, "{report}");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("2 soal jenis 'calculated' belum didukung")
            && warnings.contains("Sama (2)"),
        "{warnings}"
    );
}

async fn export_then_import_changes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let (_, report) = import(
        &admin,
        "moodle.xml",
        &fixture("moodle_xml/export.xml"),
        &[("name", "campuran")],
    )
    .await;
    let bank_id = report["bank_id"].as_str().unwrap();
    let resp = export(&admin, bank_id, "moodle_xml").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("campuran.xml"), "{disposition}");
    let text = resp.text().await.unwrap();
    assert!(text.contains("<question type=\"cloze\">"), "{text}");
    let (status, again) = import(&admin, "kembali", &text, &[("name", "campuran")]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["imported"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(12)),
        "{again}"
    );
    // GIFT cannot hold the Cloze question: refused, pointing at Moodle XML.
    let (status, body) = read(export(&admin, bank_id, "gift").await).await;
    assert_error(status, &body, 422, "validation_failed");
    let message = body.to_string();
    assert!(
        message.contains("Cloze") && message.contains("Moodle XML"),
        "{message}"
    );
}

async fn dry_run_previews_without_writing(app: TestApp) {
    let admin = app.admin().await;
    let (status, report) = import(&admin, "contoh.gift", SAMPLE, &[("dry_run", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["questions"].as_array().unwrap().len(), 3);
    assert_eq!(report["questions"][0]["status"], "new");
    assert_eq!(report["questions"][0]["line"], 4);
    let (_, list) = admin.get("/api/v1/question-banks").await;
    assert_eq!(list, json!([]));
}

async fn shipped_banks_load_at_start_up(app: TestApp) {
    let db = TestDatabase::create(&app.backend).await;
    let folder = tempfile::tempdir().unwrap();
    let shipped = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("question_banks");
    for track in ["pranata_komputer", "humas"] {
        let target = folder.path().join(track);
        std::fs::create_dir(&target).unwrap();
        for file in std::fs::read_dir(shipped.join(track)).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(folder.path().join("rusak.gift"), "Soal {=a ~b\n").unwrap();
    let dir = folder.path().display().to_string();
    let loaded = TestApp::spawn_with(&app.backend, &db, |c| c.question_banks = dir.clone()).await;
    let admin = loaded.admin().await;
    let (_, banks) = admin.get("/api/v1/question-banks").await;
    let count = |name: &str| {
        banks
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .map(|b| b["question_count"].as_u64().unwrap())
    };
    assert!(count("pranata_komputer").unwrap() >= 150, "{banks}");
    assert!(count("humas").unwrap() >= 100, "{banks}");
    assert_eq!(
        count("rusak"),
        None,
        "a bad file is skipped, the server still starts"
    );
    for bank in banks.as_array().unwrap() {
        let (_, listed) = admin
            .get(&format!(
                "/api/v1/question-banks/{}/questions",
                bank["id"].as_str().unwrap()
            ))
            .await;
        for q in listed["questions"].as_array().unwrap() {
            let tags = q["tags"].as_array().unwrap();
            assert!(
                tags.iter()
                    .any(|t| t.as_str().unwrap().starts_with("unit:")),
                "{}",
                q["stable_id"]
            );
        }
        let essays = listed["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["type"] == "essay")
            .count();
        assert!(essays >= 5, "{}: {essays} essays", bank["name"]);
    }
    loaded.stop().await;
    // A second start finds everything unchanged and creates no new versions.
    let again = TestApp::spawn_with(&app.backend, &db, |c| c.question_banks = dir.clone()).await;
    let (_, banks) = again.admin().await.get("/api/v1/question-banks").await;
    assert!(
        banks
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["current_version"] == 1),
        "{banks}"
    );
    again.stop().await;
    db.drop_database().await;
}

async fn scripts_in_questions_are_neutralised(app: TestApp) {
    let admin = app.admin().await;
    let evil = "// [tag:unit:x]\n::Jahat::[html]<p onclick=\"alert(1)\">Halo</p><script>alert(2)</script> {=<img src\\=x onerror\\=alert(3)>ya ~tidak}\n";
    let (_, report) = import(&admin, "jahat.gift", evil, &[]).await;
    let bank_id = report["bank_id"].as_str().unwrap();
    let (_, listed) = admin
        .get(&format!("/api/v1/question-banks/{bank_id}/questions"))
        .await;
    let html = listed["questions"][0]["text_html"].as_str().unwrap();
    assert!(
        html.contains("Halo") && !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (_, page_html) = page(&client, &app, &format!("/admin/banks/{bank_id}")).await;
    for bad in ["<script", "onclick", "onerror"] {
        assert!(!page_html.contains(bad), "{bad} reached the page");
    }
}

async fn bank_pages_upload_preview_and_browse(app: TestApp) {
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (_, list) = page(&client, &app, "/admin/banks").await;
    let token = csrf_token(&list);
    let upload = |content: &'static str, dry_run: bool| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", token.clone())
            .text("format", "auto")
            .part(
                "file",
                reqwest::multipart::Part::bytes(content.as_bytes().to_vec())
                    .file_name("latihan.gift"),
            );
        if dry_run {
            form = form.text("dry_run", "true");
        }
        client
            .post(app.url("/admin/banks/import"))
            .multipart(form)
            .send()
    };
    let resp = upload("// [tag:unit:x]\nSatu {T}\n\nDua {=a ~b\n", true)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<td>4</td><td>5</td>") && html.contains("Tidak ada yang disimpan"),
        "{html}"
    );
    let resp = upload(SAMPLE, true).await.unwrap();
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Pratinjau") && html.contains("<code>q1</code>") && html.contains("baru"),
        "{html}"
    );
    let (_, api_list) = app.admin().await.get("/api/v1/question-banks").await;
    assert_eq!(api_list, json!([]), "the preview wrote nothing");
    let resp = upload(SAMPLE, false).await.unwrap();
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Impor <strong>latihan.gift</strong> selesai"),
        "{html}"
    );
    let (_, api_list) = app.admin().await.get("/api/v1/question-banks").await;
    let bank_id = api_list[0]["id"].as_str().unwrap();
    let (_, browser) = page(
        &client,
        &app,
        &format!("/admin/banks/{bank_id}?tag=unit%3Ajaringan"),
    )
    .await;
    assert!(
        browser.contains("2 soal") && browser.contains("Port HTTPS?"),
        "{browser}"
    );
    app.user_with_roles("peserta", &["trainee"]).await;
    let trainee = app.browser_client();
    sign_in(
        &trainee,
        &app,
        "peserta",
        &crate::support::password_of("peserta"),
    )
    .await;
    assert_eq!(
        page(&trainee, &app, &format!("/admin/banks/{bank_id}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        page(&trainee, &app, "/admin/banks").await.0,
        StatusCode::FORBIDDEN
    );
}

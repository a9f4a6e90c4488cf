//! The exam through the pages alone: an administrator builds the humas
//! writing exam from its template, three trainees sit it, two assessors
//! grade blind with one moderation, results are released and each trainee
//! sees Kompeten / Belum Kompeten per unit, and can appeal.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{course_and_batch, enrol, import, person, shipped_bank};
use crate::support::{TestApp, csrf_token, page, sign_in};

cases![
    the_humas_exam_through_the_pages,
    exam_pages_keep_roles_apart,
    an_exam_built_from_json_in_the_page,
];

/// Every distinct value following `prefix` up to `end`, in page order.
fn all_after(html: &str, prefix: &str, end: char) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(prefix) {
        rest = &rest[at + prefix.len()..];
        let value: String = rest.chars().take_while(|c| *c != end).collect();
        if !found.contains(&value) {
            found.push(value);
        }
    }
    found
}

async fn post_form(
    client: &Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, String)],
) -> reqwest::Response {
    // Any signed-in page carries the session's CSRF token.
    let (_, html) = page(client, app, "/").await;
    let mut form = vec![("csrf_token".to_owned(), csrf_token(&html))];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.clone())));
    client.post(app.url(path)).form(&form).send().await.unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "expected a redirect");
    resp.headers()["location"].to_str().unwrap().to_owned()
}

async fn browser(app: &TestApp, username: &str) -> Client {
    let client = app.browser_client();
    let resp = sign_in(
        &client,
        app,
        username,
        &crate::support::password_of(username),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    client
}

struct Built {
    exam_id: String,
    trainees: Vec<Client>,
    lead: Client,
    lead_id: String,
    second: Client,
    admin: Client,
}

async fn build(app: &TestApp) -> Built {
    let admin_api = app.admin().await;
    let (status, report) = import(
        &admin_api,
        "humas.gift",
        &shipped_bank("humas"),
        &[("name", "humas")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, batch) = course_and_batch(&admin_api, "HMP", json!({})).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let mut trainees = Vec::new();
    for (name, unit) in [
        ("peserta1", "Inspektorat Daerah"),
        ("peserta2", "Disdukcapil"),
        ("peserta3", "Bappeda"),
    ] {
        let (id, _) = person(app, &admin_api, name, unit, "trainee").await;
        enrol(&admin_api, &batch_id, &id).await;
        trainees.push(browser(app, name).await);
    }
    let (lead_id, _) = person(app, &admin_api, "utama", "Diskominfo", "assessor").await;
    let (second_id, _) = person(app, &admin_api, "kedua", "BKD", "assessor").await;

    let admin = app.browser_client();
    sign_in(&admin, app, "admin", crate::support::ADMIN_PASSWORD).await;
    let (status, list) = page(&admin, app, "/admin/exams").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("humas_penulisan"), "the template is offered");
    // A missing batch is named, nothing created.
    let bad = post_form(
        &admin,
        app,
        "/admin/exams",
        &[
            ("batch_id", String::new()),
            ("template", "humas_penulisan".into()),
            ("opens_at", String::new()),
            ("closes_at", String::new()),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("pilih angkatan"));
    let created = post_form(
        &admin,
        app,
        "/admin/exams",
        &[
            ("batch_id", batch_id.clone()),
            ("template", "humas_penulisan".into()),
            ("opens_at", String::new()),
            ("closes_at", String::new()),
        ],
    )
    .await;
    let exam_path = location(&created);
    let exam_path = exam_path.split('?').next().unwrap().to_owned();
    let exam_id = exam_path.trim_start_matches("/admin/exams/").to_owned();
    for (id, lead) in [(&lead_id, true), (&second_id, false)] {
        let mut fields = vec![("user_id", id.clone())];
        if lead {
            fields.push(("lead", "on".into()));
        }
        let resp = post_form(&admin, app, &format!("{exam_path}/assessors"), &fields).await;
        assert!(location(&resp).contains("notice="));
    }
    let (_, shown) = page(&admin, app, &exam_path).await;
    assert!(
        shown.contains("Nama utama") && shown.contains("asesor utama"),
        "{shown}"
    );
    Built {
        exam_id,
        trainees,
        lead: browser(app, "utama").await,
        lead_id: lead_id.clone(),
        second: browser(app, "kedua").await,
        admin,
    }
}

/// Starts the exam from its page, writes every task on the no-JS form, submits.
/// Sits the exam through the pages; returns where the handed-in attempt lands.
async fn sit(app: &TestApp, client: &Client, exam_id: &str) -> String {
    let (status, intro) = page(client, app, &format!("/exams/{exam_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        intro.contains("Mulai ujian") && intro.contains("240 menit"),
        "{intro}"
    );
    let started = post_form(client, app, &format!("/exams/{exam_id}/start"), &[]).await;
    let attempt = location(&started);
    // The press release as a PDF, from the exam page's upload form.
    let (_, exam_page) = page(client, app, &format!("/exams/{exam_id}")).await;
    assert!(
        exam_page.contains("Berkas tugas Menyusun siaran pers"),
        "{exam_page}"
    );
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf_token(&exam_page))
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n% siaran pers\n".to_vec())
                .file_name("siaran-pers.pdf"),
        );
    let resp = client
        .post(app.url(&format!("/exams/{exam_id}/tasks/siaran-pers/file")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(location(&resp).contains("notice="), "uploaded");
    let (_, exam_page) = page(client, app, &format!("/exams/{exam_id}")).await;
    assert!(
        exam_page.contains("Tersimpan: siaran-pers.pdf"),
        "{exam_page}"
    );
    // 100 objective questions, five a page, then the four tasks.
    for n in 1..=21 {
        let (status, html) = page(client, app, &format!("{attempt}?page={n}")).await;
        assert_eq!(status, StatusCode::OK);
        let essays = all_after(&html, "<textarea name=\"", '"');
        if essays.is_empty() {
            continue;
        }
        let mut fields = vec![("page", n.to_string()), ("go", "stay".to_owned())];
        for name in &essays {
            fields.push((
                name.as_str(),
                "Pemkot Magelang meluncurkan layanan Dukcapil Keliling bagi warga lansia."
                    .to_owned(),
            ));
        }
        let resp = post_form(client, app, &attempt, &fields).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
    let done = post_form(client, app, &format!("{attempt}/submit"), &[]).await;
    let result = location(&done);
    // The attempt's result page hands over to the exam's page.
    let resp = client.get(app.url(&result)).send().await.unwrap();
    let handed_in = location(&resp);
    assert!(handed_in.starts_with("/exams/handed-in/"), "{handed_in}");
    let resp = client.get(app.url(&handed_in)).send().await.unwrap();
    let exam_page = location(&resp);
    assert!(
        exam_page.starts_with(&format!("/exams/{exam_id}?notice=")),
        "{exam_page}"
    );
    let (_, landed) = page(client, app, &exam_page).await;
    assert!(landed.contains("sudah dikumpulkan"), "{landed}");
    handed_in
}

/// Marks every open item of the queue: top levels, or the bottom ones for
/// the first item when `spoil_first`.
async fn grade_all(app: &TestApp, assessor: &Client, spoil_first: bool) -> usize {
    let (_, queue) = page(assessor, app, "/grading").await;
    let items = all_after(&queue, "href=\"/grading/", '"');
    let mut files = 0;
    for (i, id) in items.iter().enumerate() {
        let path = format!("/grading/{id}");
        let (status, html) = page(assessor, app, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Dukcapil Keliling"),
            "the response is beside the rubric"
        );
        // The template's must-pass criteria are marked, and the rule stated.
        assert!(
            html.contains("wajib ≥")
                && html.contains("pilih level tertinggi yang semua syaratnya terpenuhi"),
            "{html}"
        );
        if html.contains(&format!("/grading/{id}/file")) {
            files += 1;
            let resp = assessor
                .get(app.url(&format!("/grading/{id}/file")))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert!(resp.bytes().await.unwrap().starts_with(b"%PDF"));
        }
        let criteria = all_after(&html, "name=\"level-", '"');
        let mut fields: Vec<(String, String)> = Vec::new();
        for c in &criteria {
            let levels = html.matches(&format!("name=\"level-{c}\"")).count();
            let level = if spoil_first && i == 0 { 0 } else { levels - 1 };
            fields.push((format!("level-{c}"), level.to_string()));
        }
        fields.push((
            "comment".into(),
            if spoil_first && i == 0 {
                "Teras dan kutipan belum tepat."
            } else {
                "Memenuhi kriteria."
            }
            .into(),
        ));
        fields.push(("action".into(), "final".into()));
        let borrowed: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let resp = post_form(assessor, app, &path, &borrowed).await;
        assert!(location(&resp).starts_with("/grading?notice="));
    }
    assert_eq!(
        files, 3,
        "each candidate's press release reaches the assessor"
    );
    items.len()
}

async fn the_humas_exam_through_the_pages(app: TestApp) {
    let b = build(&app).await;
    for t in &b.trainees {
        sit(&app, t, &b.exam_id).await;
    }
    let (_, queue) = page(&b.lead, &app, "/grading").await;
    assert!(queue.contains("12</strong> belum dinilai"), "{queue}");
    assert!(!queue.contains("Nama peserta"), "no names in the queue");
    assert_eq!(grade_all(&app, &b.lead, false).await, 12);
    assert_eq!(grade_all(&app, &b.second, true).await, 12);

    // Release needs its confirmation box; unticked, nothing happens.
    let resp = post_form(
        &b.admin,
        &app,
        &format!("/admin/exams/{}/release", b.exam_id),
        &[],
    )
    .await;
    let unconfirmed = location(&resp);
    assert!(
        unconfirmed.contains("error=") && unconfirmed.contains("konfirmasi"),
        "{unconfirmed}"
    );
    // Release is refused: the far-apart marks need a moderator, and the
    // only lead is one of the two markers.
    let resp = post_form(
        &b.admin,
        &app,
        &format!("/admin/exams/{}/release", b.exam_id),
        &[("confirm", "on".to_owned())],
    )
    .await;
    let refused = location(&resp);
    assert!(
        refused.contains("error=") && refused.contains("Moderasi"),
        "{refused}"
    );
    let (_, queue) = page(&b.lead, &app, "/grading").await;
    assert!(queue.contains("0</strong> moderasi"), "{queue}");
    let exam_path = format!("/admin/exams/{}", b.exam_id);
    let (_, shown) = page(&b.admin, &app, &exam_path).await;
    assert!(
        shown.contains("tidak ada asesor utama selain kedua penilai")
            && shown.contains(&format!("{exam_path}/markers")),
        "the exam page says what blocks release: {shown}"
    );
    let markers_path = format!("{exam_path}/markers");
    let (status, markers) = page(&b.admin, &app, &markers_path).await;
    assert_eq!(status, StatusCode::OK);
    let slot = all_after(&markers, "name=\"slot\" value=\"", '"')
        .into_iter()
        .next()
        .expect("a form for the missing moderation");
    assert!(slot.ends_with("|moderation"), "{slot}");
    let admin_api = app.admin().await;
    let (third_id, _) = person(&app, &admin_api, "ketiga", "Inspektorat", "assessor").await;
    let name = |who: &str| {
        vec![
            ("slot", slot.clone()),
            ("assessor_id", who.to_owned()),
            ("reason", "Asesor utama ikut menilai.".to_owned()),
        ]
    };
    let resp = post_form(&b.admin, &app, &markers_path, &name(&b.lead_id)).await;
    let to = location(&resp);
    assert!(to.contains("error=") && to.contains("moderasi"), "{to}");
    let resp = post_form(&b.admin, &app, &markers_path, &name(&third_id)).await;
    let to = location(&resp);
    assert!(to.contains("notice="), "{to}");
    let (_, markers) = page(&b.admin, &app, &markers_path).await;
    assert!(markers.contains("Nama ketiga") && markers.contains("Tidak ada: setiap nilai"));
    let third = browser(&app, "ketiga").await;
    let (_, queue) = page(&third, &app, "/grading").await;
    assert!(queue.contains("1</strong> moderasi"), "{queue}");
    let moderation = all_after(&queue, "href=\"/grading/", '"')
        .into_iter()
        .find(|id| {
            let row_start = queue.find(&format!("/grading/{id}")).unwrap();
            queue[row_start..]
                .split("</tr>")
                .next()
                .unwrap()
                .contains("moderasi")
        })
        .unwrap();
    let path = format!("/grading/{moderation}");
    let (_, html) = page(&third, &app, &path).await;
    assert!(
        html.contains("Nilai penilai sebelumnya")
            && html.contains("Teras dan kutipan belum tepat.")
    );
    let criteria = all_after(&html, "name=\"level-", '"');
    let mut fields: Vec<(String, String)> = criteria
        .iter()
        .map(|c| (format!("level-{c}"), "2".to_owned()))
        .collect();
    fields.push(("comment".into(), "Cukup baik.".into()));
    fields.push(("action".into(), "final".into()));
    let borrowed: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    // Without a reason the form comes back, naming it.
    let resp = post_form(&third, &app, &path, &borrowed).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("reason"));
    let mut with_reason = borrowed.clone();
    with_reason.push((
        "reason",
        "Kedua penilai berbeda jauh; naskah cukup baik.".into(),
    ));
    let resp = post_form(&third, &app, &path, &with_reason).await;
    assert!(location(&resp).starts_with("/grading?notice="));

    let resp = post_form(
        &b.admin,
        &app,
        &format!("/admin/exams/{}/release", b.exam_id),
        &[("confirm", "on".to_owned())],
    )
    .await;
    assert!(location(&resp).contains("notice="), "released");
    let (_, matrix) = page(&b.admin, &app, &format!("/admin/exams/{}", b.exam_id)).await;
    assert!(matrix.contains("Dirilis") && matrix.contains("Nama peserta2"));
    for t in &b.trainees {
        let (_, result) = page(t, &app, &format!("/exams/{}", b.exam_id)).await;
        assert!(result.contains("Hasil uji kompetensi"), "{result}");
        let verdicts = result.matches("Kompeten</span>").count();
        assert_eq!(verdicts, 5, "a verdict per unit: {result}");
        assert!(result.contains("Ajukan banding"));
        assert!(
            !result.contains("Nama utama") && !result.contains("Nama kedua"),
            "no assessor names"
        );
    }
    // An appeal from the page, seen by the administrator.
    let resp = post_form(
        &b.trainees[0],
        &app,
        &format!("/exams/{}/appeal", b.exam_id),
        &[(
            "reason",
            "Mohon ditinjau ulang penilaian siaran pers saya.".into(),
        )],
    )
    .await;
    assert!(location(&resp).contains("notice="));
    let (_, admin_page) = page(&b.admin, &app, &format!("/admin/exams/{}", b.exam_id)).await;
    assert!(admin_page.contains("Mohon ditinjau ulang") && admin_page.contains("Serahkan"));

    // The trail, from the exam's page: every event in words, in WIB.
    assert!(admin_page.contains(&format!("{exam_path}/audit")));
    let (status, trail) = page(&b.admin, &app, &format!("{exam_path}/audit")).await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "Riwayat perubahan",
        "Daftar asesor diubah",
        "Nilai difinalkan",
        "Penilai ditetapkan administrator",
        "Hasil dirilis ke peserta",
        "Banding diajukan",
        "Moderasi",
        "Asesor utama ikut menilai.",
        "Nama ketiga",
        " WIB",
        "Unduh CSV",
    ] {
        assert!(trail.contains(words), "{words} missing: {trail}");
    }
    for raw in [
        "grade.final",
        "exam.release",
        "appeal.submit",
        "&quot;status&quot;",
        "assessor_id",
        ">draft<",
        "pending",
        "kompeten\"",
    ] {
        assert!(!trail.contains(raw), "{raw} shown: {trail}");
    }
}

async fn exam_pages_keep_roles_apart(app: TestApp) {
    let b = build(&app).await;
    let handed_in = sit(&app, &b.trainees[0], &b.exam_id).await;
    // The hand-over page: the exam's trainees and administrators only, and
    // only for an assessment that is an exam.
    for (who, expected) in [(&b.trainees[1], 303), (&b.admin, 303), (&b.lead, 404)] {
        let resp = who.get(app.url(&handed_in)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), expected, "{handed_in}");
    }
    let outsider = {
        let admin_api = app.admin().await;
        person(&app, &admin_api, "luar", "Dinas Sosial", "trainee").await;
        browser(&app, "luar").await
    };
    let resp = outsider.get(app.url(&handed_in)).send().await.unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "not in the exam's batch"
    );
    let unknown = format!("/exams/handed-in/{}", uuid::Uuid::new_v4());
    let resp = b.trainees[0].get(app.url(&unknown)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (status, _) = page(&b.trainees[0], &app, "/admin/exams").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(&b.trainees[0], &app, "/grading").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(&b.lead, &app, &format!("/admin/exams/{}", b.exam_id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The audit and markers pages: administrators only, this exam only.
    for tail in ["audit", "markers"] {
        let path = format!("/admin/exams/{}/{tail}", b.exam_id);
        for outsider in [&b.trainees[0], &b.lead] {
            let (status, _) = page(outsider, &app, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        let (status, _) = page(&b.admin, &app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let unknown = format!("/admin/exams/{}/{tail}", uuid::Uuid::new_v4());
        let (status, _) = page(&b.admin, &app, &unknown).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
    }
    let resp = post_form(
        &b.lead,
        &app,
        &format!("/admin/exams/{}/markers", b.exam_id),
        &[
            ("slot", "HM-2026-001|siaran-pers|first".into()),
            ("assessor_id", uuid::Uuid::new_v4().to_string()),
            ("reason", "bukan admin".into()),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // One assessor cannot open the other's item.
    let (_, queue) = page(&b.second, &app, "/grading").await;
    let theirs = all_after(&queue, "href=\"/grading/", '"');
    let (status, _) = page(&b.lead, &app, &format!("/grading/{}", theirs[0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, html) = page(&b.second, &app, &format!("/grading/{}", theirs[0])).await;
    for secret in ["Nama peserta1", "Inspektorat", "peserta1"] {
        assert!(!html.contains(secret), "{secret} shown to the assessor");
    }
    // Results are not shown before release; another trainee's exam page is theirs alone.
    let (_, mine) = page(&b.trainees[0], &app, &format!("/exams/{}", b.exam_id)).await;
    assert!(mine.contains("sudah dikumpulkan") && !mine.contains("Hasil uji kompetensi"));
}

async fn an_exam_built_from_json_in_the_page(app: TestApp) {
    let admin_api = app.admin().await;
    let (status, report) = import(
        &admin_api,
        "humas.gift",
        &shipped_bank("humas"),
        &[("name", "humas")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, batch) = course_and_batch(&admin_api, "JSN", json!({})).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let admin = app.browser_client();
    sign_in(&admin, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let (_, list) = page(&admin, &app, "/admin/exams").await;
    // In the page, not swallowed by an unclosed title block.
    let body = list.split("</title>").nth(1).unwrap_or_default();
    assert!(
        body.contains("Buat ujian dari JSON")
            && body.contains("name=\"spec\"")
            && body.contains("siaran-pers"),
        "a template to start from"
    );

    let fields = |spec: String| {
        vec![
            ("batch_id", batch_id.clone()),
            ("opens_at", String::new()),
            ("closes_at", String::new()),
            ("spec", spec),
        ]
    };
    // Broken JSON: the line is named and the text is kept.
    let resp = post_form(
        &admin,
        &app,
        "/admin/exams/json",
        &fields("{\n  \"title\": \"Ujian\",\n  oops\n}".into()),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("JSON baris 3") && html.contains("oops"),
        "{html}"
    );
    // A unit without questions or tasks: the field is named.
    let path = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("question_banks/exams/humas_penulisan.json");
    let mut spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec["units"][4]["objective_count"] = json!(0);
    let resp = post_form(&admin, &app, "/admin/exams/json", &fields(spec.to_string())).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("Unit kompetensi ke-5"));
    // Fixed, and renamed: the exam is built.
    spec["units"][4]["objective_count"] = json!(8);
    spec["title"] = json!("Uji Kompetensi Humas (susunan sendiri)");
    let resp = post_form(&admin, &app, "/admin/exams/json", &fields(spec.to_string())).await;
    let to = location(&resp);
    assert!(to.starts_with("/admin/exams/"), "{to}");
    let (_, shown) = page(&admin, &app, to.split('?').next().unwrap()).await;
    assert!(shown.contains("Uji Kompetensi Humas (susunan sendiri)"));
}

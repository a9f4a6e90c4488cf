//! Competency exams through the API: building from the shipped template,
//! sitting it, blind double marking with moderation, release, decisions per
//! unit, appeals, audit, roles and isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{
    BANK, course_and_batch, enrol, exam_pool, import, mark, person, queue, save, shipped_bank, sit,
    small_exam, small_exam_with_gate, window,
};
use crate::support::{Session, TestApp, assert_error};

cases![
    humas_exam_from_the_template_end_to_end,
    decisions_follow_the_rule_per_unit,
    a_must_pass_criterion_fails_the_task_whatever_its_total,
    parallel_forms_are_drawn_and_marked_by_their_own_rubric,
    appeals_go_to_another_assessor,
    assessors_see_only_their_items_and_no_identities,
    task_files_are_checked_and_reach_the_assessor_anonymously,
    both_shipped_templates_build_on_the_shipped_banks,
];

fn top(item: &Value) -> Vec<u32> {
    item["task"]["rubric"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["levels"].as_array().unwrap().len() as u32 - 1)
        .collect()
}

fn bottom(item: &Value) -> Vec<u32> {
    vec![0; item["task"]["rubric"].as_array().unwrap().len()]
}

async fn humas_exam_from_the_template_end_to_end(app: TestApp) {
    let admin = app.admin().await;
    let (status, report) = import(
        &admin,
        "humas.gift",
        &shipped_bank("humas"),
        &[("name", "humas")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, batch) = course_and_batch(&admin, "HUM", json!({})).await;
    let batch_id = batch["id"].as_str().unwrap();
    let mut trainees = Vec::new();
    for (name, unit) in [
        ("tiga1", "Dinas Kesehatan"),
        ("tiga2", "Disdukcapil"),
        ("tiga3", "Bappeda"),
    ] {
        let (id, session) = person(&app, &admin, name, unit, "trainee").await;
        enrol(&admin, batch_id, &id).await;
        trainees.push(session);
    }
    let (a1, lead) = person(&app, &admin, "asesor1", "Diskominfo", "assessor").await;
    let (a2, second) = person(&app, &admin, "asesor2", "BKD", "assessor").await;

    let (status, templates) = admin.get("/api/v1/exam-templates").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        templates.to_string().contains("humas_penulisan"),
        "{templates}"
    );
    let mut body = window();
    body["batch_id"] = json!(batch_id);
    body["template"] = json!("humas_penulisan");
    let (status, exam) = admin.post("/api/v1/exams", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{exam}");
    assert_eq!(exam["units"].as_array().unwrap().len(), 5);
    assert_eq!(exam["tasks"].as_array().unwrap().len(), 4);
    let exam_id = exam["id"].as_str().unwrap();

    let (status, assessors) = admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": a1, "lead": true }, { "user_id": a2 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{assessors}");

    // A task answer over its word limit is refused and names the field.
    let (_, attempt) = trainees[0]
        .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    let task = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["type"] == "essay")
        .unwrap()
        .clone();
    let long = "kata ".repeat(601);
    let (status, body) = save(
        &trainees[0],
        attempt["id"].as_str().unwrap(),
        task["id"].as_str().unwrap(),
        json!({ "text": long }),
        None,
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(
        body["error"]["details"][0]["field"], "response.text",
        "{body}"
    );

    for t in &trainees {
        let (status, _) = t
            .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
            .await;
        assert!(status.is_success());
    }
    // (the first trainee's attempt already exists: sitting it resumes it)
    for t in &trainees {
        let (status, info) = t.get(&format!("/api/v1/exams/{exam_id}/info")).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        let attempt_id = info["attempt_id"].as_str().unwrap().to_owned();
        let (_, view) = t.get(&format!("/api/v1/attempts/{attempt_id}")).await;
        for q in view["questions"].as_array().unwrap() {
            if q["type"] == "essay" {
                let (status, b) = save(
                    t,
                    &attempt_id,
                    q["id"].as_str().unwrap(),
                    json!({ "text": "Pemkot Magelang meluncurkan layanan Dukcapil Keliling." }),
                    None,
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{b}");
            }
        }
        let (status, _) = t
            .post(&format!("/api/v1/attempts/{attempt_id}/submit"), &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = t.get(&format!("/api/v1/exams/{exam_id}/my-result")).await;
        assert_error(status, &body, 409, "results_not_released");
    }

    // Both assessors mark every task of every candidate, blind.
    let q1 = queue(&lead).await;
    let q2 = queue(&second).await;
    assert_eq!(q1["items"].as_array().unwrap().len(), 12, "{q1}");
    assert_eq!(q2["items"].as_array().unwrap().len(), 12, "{q2}");
    assert_eq!(q1["counts"]["to_grade"], 12);
    for item in q1["items"].as_array().unwrap() {
        assert!(
            item["candidate_code"].as_str().unwrap().starts_with("HM-"),
            "{item}"
        );
        assert!(item["response_text"].as_str().unwrap().contains("Dukcapil"));
        mark(&lead, item, &top(item), "Lengkap dan akurat.", None).await;
    }
    let moderated = q2["items"][0].clone();
    for (i, item) in q2["items"].as_array().unwrap().iter().enumerate() {
        if i == 0 {
            mark(
                &second,
                item,
                &bottom(item),
                "Teras tidak memuat inti berita.",
                None,
            )
            .await;
        } else {
            mark(&second, item, &top(item), "Baik.", None).await;
        }
    }
    // Release waits for the moderation, and says whose and which.
    let (status, body) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_error(status, &body, 409, "grading_incomplete");
    let code = moderated["candidate_code"].as_str().unwrap();
    let task_key = moderated["task"]["key"].as_str().unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(code) && message.contains("Moderasi"),
        "{body}"
    );
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        1,
        "{body}"
    );
    assert_eq!(
        body["error"]["details"][0]["field"],
        format!("{code}.{task_key}")
    );
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("tidak ada asesor utama selain kedua penilai"),
        "{body}"
    );

    // The only lead marked the pair: nobody moderates their own mark, so
    // the administrator names another assessor.
    let q1 = queue(&lead).await;
    assert_eq!(q1["counts"]["moderation"], 0, "{q1}");
    let (third_id, third) = person(&app, &admin, "asesor3", "Inspektorat", "assessor").await;
    let name = |who: &str| {
        json!({ "candidate_code": code, "task_key": task_key, "round": "moderation",
                "assessor_id": who, "reason": "Asesor utama ikut menilai pasangan ini." })
    };
    for marker in [&a1, &a2] {
        let (status, body) = admin
            .post(&format!("/api/v1/exams/{exam_id}/markers"), &name(marker))
            .await;
        assert_error(status, &body, 409, "own_mark");
    }
    let (status, named) = admin
        .post(
            &format!("/api/v1/exams/{exam_id}/markers"),
            &name(&third_id),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{named}");
    assert_eq!(named["round"], "moderation");
    assert_eq!(named["assessor_name"], "Nama asesor3");
    let lead = third;
    let q1 = queue(&lead).await;
    assert_eq!(q1["counts"]["moderation"], 1, "{q1}");
    let moderation = q1["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["round"] == "moderasi")
        .unwrap()
        .clone();
    assert_eq!(moderation["candidate_code"], moderated["candidate_code"]);
    assert_eq!(
        moderation["other_marks"].as_array().unwrap().len(),
        2,
        "{moderation}"
    );
    // A moderation needs a reason.
    let (status, body) = lead
        .post(
            &format!("/api/v1/grading/{}", moderation["id"].as_str().unwrap()),
            &json!({ "levels": top(&moderation) }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert!(body.to_string().contains("reason"), "{body}");
    mark(
        &lead,
        &moderation,
        &top(&moderation),
        "Struktur piramida terbalik terpenuhi.",
        Some("Penilai 2 keliru membaca teras; naskah memenuhi semua kriteria."),
    )
    .await;

    let (status, released) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{released}");
    assert!(released["released_at"].is_string());
    assert_eq!(released["rows"].as_array().unwrap().len(), 3);
    // Each candidate is told the results are out, with the link.
    let (_, exam) = admin.get(&format!("/api/v1/exams/{exam_id}")).await;
    let (status, log) = admin
        .get(&format!(
            "/api/v1/batches/{}/messages",
            exam["batch_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let told: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "exam_result")
        .collect();
    assert_eq!(told.len(), 3, "{log}");
    // Released again: nobody is told twice.
    let (status, _) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = admin
        .get(&format!(
            "/api/v1/batches/{}/messages",
            exam["batch_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        again
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "exam_result")
            .count(),
        3
    );
    assert!(
        told.iter().all(|m| m["body"]
            .as_str()
            .unwrap()
            .contains(&format!("/exams/{exam_id}"))),
        "{told:?}"
    );
    for t in &trainees {
        let (status, mine) = t.get(&format!("/api/v1/exams/{exam_id}/my-result")).await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        let units = mine["result"]["units"].as_array().unwrap();
        assert_eq!(units.len(), 5);
        for u in units {
            let label = u["label"].as_str().unwrap();
            assert!(label == "Kompeten" || label == "Belum Kompeten", "{u}");
        }
        // Objective questions were left blank: below 70 % is Belum Kompeten.
        assert_eq!(units[0]["label"], "Belum Kompeten", "{mine}");
        let text = mine.to_string();
        assert!(
            !text.contains("asesor1") && !text.contains("Nama asesor"),
            "{text}"
        );
        assert!(
            text.contains("Lengkap dan akurat."),
            "comments reach the trainee"
        );
    }
    // The moderation's audit trail: draft, final, with the reason.
    let (status, audit) = admin
        .get(&format!(
            "/api/v1/grading/{}/audit",
            moderation["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["grade.assign", "grade.draft", "grade.final"],
        "{audit}"
    );
    assert!(audit[1]["reason"].as_str().unwrap().contains("keliru"));

    // The exam's whole trail, in words.
    let (status, trail) = admin.get(&format!("/api/v1/exams/{exam_id}/audit")).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let events = trail["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for wanted in [
        "exam.assessors",
        "grade.draft",
        "grade.final",
        "grade.assign",
        "exam.release",
    ] {
        assert!(actions.contains(&wanted), "{wanted} missing: {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|a| **a == "grade.final").count(),
        25,
        "24 marks and a moderation"
    );
    let assigned = events
        .iter()
        .find(|e| e["action"] == "grade.assign")
        .unwrap();
    assert_eq!(assigned["candidate_code"], code);
    assert_eq!(assigned["task_key"], task_key);
    assert_eq!(assigned["round"], "moderation");
    assert_eq!(assigned["round_label"], "Moderasi");
    assert_eq!(assigned["actor_name"], events.last().unwrap()["actor_name"]);
    assert!(assigned["at_wib"].as_str().unwrap().ends_with(" WIB"));
    assert!(assigned["old_value"].is_null() && assigned["old_label"].is_null());
    assert!(
        assigned["new_label"]
            .as_str()
            .unwrap()
            .contains("Nama asesor3"),
        "{assigned}"
    );
    assert_eq!(
        assigned["reason"],
        "Asesor utama ikut menilai pasangan ini."
    );
    let moderated_final = events
        .iter()
        .find(|e| e["action"] == "grade.final" && e["round"] == "moderation")
        .unwrap();
    assert_eq!(moderated_final["actor_name"], "Nama asesor3");
    assert!(
        moderated_final["old_label"]
            .as_str()
            .unwrap()
            .contains("Status: Draf")
            && moderated_final["new_label"]
                .as_str()
                .unwrap()
                .contains("Status: Final"),
        "{moderated_final}"
    );
    let released = events.last().unwrap();
    assert_eq!(released["action_label"], "Hasil dirilis ke peserta");
    assert!(
        released["new_label"]
            .as_str()
            .unwrap()
            .starts_with("Dirilis: ")
    );
    let resp = admin
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/exams/{exam_id}/audit?format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("Waktu (WIB)")
            && csv.contains("Penilai ditetapkan administrator")
            && csv.contains("Moderasi")
            && csv.contains("Nama asesor3"),
        "{csv}"
    );
    for raw in [
        "grade.",
        "exam.release",
        "\"status\"",
        "assessor_id",
        "pending",
    ] {
        assert!(!csv.contains(raw), "{raw} in the CSV: {csv}");
    }

    let resp = admin
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/exams/{exam_id}/results?format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("Kode peserta") && csv.contains("HM-") && csv.contains("Nama tiga2"),
        "{csv}"
    );
    let resp = admin
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/exams/{exam_id}/results?format=xlsx"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK"));
}

async fn decisions_follow_the_rule_per_unit(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam(&app, "KMP", false).await;
    // Bad specs are refused field by field, nothing created.
    let (status, body) = admin
        .post(
            "/api/v1/exams",
            &json!({ "batch_id": batch_id, "title": "x", "bank": "KMP", "code_prefix": "P K",
                     "units": [{ "code": "jaringan", "title": "J", "objective_count": 99 }],
                     "tasks": [{ "key": "a", "unit": "lain", "question": "q-mc", "pass_points": 9,
                                 "rubric": [{ "criterion": "c", "levels": [{ "points": 0, "descriptor": "x" }] }] }] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<String> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    for f in [
        "code_prefix",
        "units[0].objective_count",
        "tasks[0].unit",
        "tasks[0].rubric[0].levels",
        "tasks[0].pass_points",
        "tasks[0].question",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }

    let (k1, good) = person(&app, &admin, "kompeten1", "Dinkes", "trainee").await;
    let (k2, weak) = person(&app, &admin, "kurang2", "Dinkes", "trainee").await;
    enrol(&admin, &batch_id, &k1).await;
    enrol(&admin, &batch_id, &k2).await;
    let (a, assessor) = person(&app, &admin, "penilai", "BKD", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": a }] }),
        )
        .await;
    sit(
        &good,
        &exam_id,
        "DNS menerjemahkan nama domain menjadi alamat IP.",
        true,
    )
    .await;
    // Not released while someone is still writing.
    weak.post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    let (status, body) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_error(status, &body, 409, "attempts_open");
    sit(&weak, &exam_id, "Tidak tahu.", true).await;

    let q = queue(&assessor).await;
    assert_eq!(q["items"].as_array().unwrap().len(), 2, "{q}");
    for item in q["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        // Finalising needs a draft; a draft needs a level per criterion.
        let (status, body) = assessor
            .post(&format!("/api/v1/grading/{id}/finalize"), &json!({}))
            .await;
        assert_error(status, &body, 409, "no_draft");
        let (status, body) = assessor
            .post(&format!("/api/v1/grading/{id}"), &json!({ "levels": [1] }))
            .await;
        assert_error(status, &body, 422, "validation_failed");
        if item["response_text"].as_str().unwrap().contains("DNS") {
            mark(&assessor, item, &[3, 2], "", None).await;
        } else {
            // Below pass: a comment is required.
            let (status, body) = assessor
                .post(
                    &format!("/api/v1/grading/{id}"),
                    &json!({ "levels": [1, 0] }),
                )
                .await;
            assert_error(status, &body, 422, "validation_failed");
            assert_eq!(body["error"]["details"][0]["field"], "comment");
            mark(
                &assessor,
                item,
                &[1, 0],
                "Jawaban belum menjelaskan cara kerja DNS.",
                None,
            )
            .await;
        }
        let (status, body) = assessor
            .post(
                &format!("/api/v1/grading/{id}"),
                &json!({ "levels": [0, 0], "comment": "ubah" }),
            )
            .await;
        assert_error(status, &body, 409, "item_final");
    }
    let (status, _) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Once released, nobody starts it any more.
    let (late_id, late) = person(&app, &admin, "terlambat", "Dinkes", "trainee").await;
    enrol(&admin, &batch_id, &late_id).await;
    let (status, body) = late
        .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    assert_error(status, &body, 409, "results_released");
    let (_, mine) = good
        .get(&format!("/api/v1/exams/{exam_id}/my-result"))
        .await;
    let unit = &mine["result"]["units"][0];
    assert_eq!(unit["label"], "Kompeten", "{mine}");
    assert_eq!(unit["objective_percent"], 100.0);
    assert_eq!(unit["tasks"][0]["final_total"], 5.0);
    let (_, mine) = weak
        .get(&format!("/api/v1/exams/{exam_id}/my-result"))
        .await;
    let unit = &mine["result"]["units"][0];
    assert_eq!(unit["label"], "Belum Kompeten", "{mine}");
    assert_eq!(unit["tasks"][0]["final_total"], 1.0);
    assert_eq!(
        unit["tasks"][0]["comments"][0],
        "Jawaban belum menjelaskan cara kerja DNS."
    );
    assert_eq!(mine["can_appeal"], true);
}

async fn a_must_pass_criterion_fails_the_task_whatever_its_total(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam_with_gate(&app, "GRB", false, json!(2)).await;
    // A gate outside its criterion's levels is refused, naming it.
    let level = |p: f64| json!({ "points": p, "descriptor": "x" });
    let (status, body) = admin
        .post(
            "/api/v1/exams",
            &json!({ "batch_id": batch_id, "title": "x", "bank": "GRB", "code_prefix": "PK",
                     "units": [{ "code": "jaringan", "title": "J", "objective_count": 0 }],
                     "tasks": [{ "key": "a", "unit": "jaringan", "question": "q-essay", "pass_points": 1,
                                 "rubric": [{ "criterion": "c", "must_reach": 5,
                                              "levels": [level(0.0), level(1.0)] }] }] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert!(
        body.to_string().contains("tasks[0].rubric[0].must_reach"),
        "{body}"
    );

    let (t, trainee) = person(&app, &admin, "gerbang1", "Dinkes", "trainee").await;
    enrol(&admin, &batch_id, &t).await;
    let (a, assessor) = person(&app, &admin, "penilai-gerbang", "BKD", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": a }] }),
        )
        .await;
    sit(&trainee, &exam_id, "DNS itu nama.", true).await;
    let q = queue(&assessor).await;
    let item = &q["items"][0];
    assert_eq!(item["task"]["rubric"][0]["must_reach"], 2.0, "{item}");
    // 1 + 3 = 4 reaches the pass points, but "Ketepatan" is short of its
    // 2: the assessor must say why.
    let id = item["id"].as_str().unwrap();
    let (status, body) = assessor
        .post(
            &format!("/api/v1/grading/{id}"),
            &json!({ "levels": [1, 3] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "comment");
    assert!(body.to_string().contains("kriteria wajib"), "{body}");
    mark(&assessor, item, &[1, 3], "Ketepatan belum memadai.", None).await;
    let (status, _) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, mine) = trainee
        .get(&format!("/api/v1/exams/{exam_id}/my-result"))
        .await;
    let unit = &mine["result"]["units"][0];
    assert_eq!(unit["tasks"][0]["final_total"], 4.0, "{mine}");
    assert_eq!(unit["tasks"][0]["unmet_criteria"], json!(["Ketepatan"]));
    assert_eq!(unit["label"], "Belum Kompeten", "{mine}");
}

/// A task with two forms: each candidate draws one, the assessor sees the
/// drawn form's prompt and rubric, and the result follows that rubric's
/// pass points and must-pass criterion. A task outside the exam pool is
/// refused when the exam is built.
async fn parallel_forms_are_drawn_and_marked_by_their_own_rubric(app: TestApp) {
    let admin = app.admin().await;
    let bank = format!(
        "{}\n// [id:q-essay-c] [tag:unit:jaringan]\n::Latihan::Jelaskan NAT. {{}}\n",
        exam_pool(&format!(
            "{BANK}\n// [id:q-essay] [tag:unit:jaringan]\n::Esai::Jelaskan cara kerja DNS. {{}}\n\n\
             // [id:q-essay-b] [tag:unit:jaringan]\n::Esai B::Jelaskan cara kerja DHCP. {{}}\n"
        ))
    );
    let (status, report) = import(&admin, "PRL.gift", &bank, &[("name", "PRL")]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, batch) = course_and_batch(&admin, "PRL", json!({})).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let level = |p: f64, d: &str| json!({ "points": p, "descriptor": d });
    let levels = json!([
        level(0.0, "salah"),
        level(1.0, "sebagian"),
        level(2.0, "benar"),
        level(3.0, "lengkap")
    ]);
    let task = |forms: Value| {
        json!({
            "key": "esai", "unit": "jaringan", "question": "q-essay", "pass_points": 4,
            "rubric": [
                { "criterion": "Ketepatan", "levels": levels },
                { "criterion": "Kejelasan", "levels": levels },
            ],
            "parallel_forms": forms,
        })
    };
    let mut body = window();
    for (k, v) in json!({
        "batch_id": batch_id, "title": "Uji Bentuk", "bank": "PRL", "code_prefix": "PK",
        "double_marking": false, "moderation_threshold": 2, "appeal_days": 7,
        "units": [{ "code": "jaringan", "title": "Mengelola jaringan", "objective_count": 0 }],
    })
    .as_object()
    .unwrap()
    {
        body[k] = v.clone();
    }
    // A practice essay cannot be a form: quizzes could show it.
    body["tasks"] = json!([task(json!([{ "question": "q-essay-c", "pass_points": 2,
        "rubric": [{ "criterion": "Alur NAT", "levels": levels }] }]))]);
    let (status, refused) = admin.post("/api/v1/exams", &body).await;
    assert_error(status, &refused, 422, "validation_failed");
    assert!(refused.to_string().contains("pool:ujian"), "{refused}");
    body["tasks"] = json!([task(json!([{ "question": "q-essay-b", "pass_points": 2,
        "rubric": [{ "criterion": "Alur DHCP", "must_reach": 2, "levels": levels }] }]))]);
    let (status, exam) = admin.post("/api/v1/exams", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{exam}");
    let exam_id = exam["id"].as_str().unwrap().to_owned();
    assert_eq!(
        exam["tasks"][0]["parallel_forms"][0]["question"],
        "q-essay-b"
    );

    let (a, assessor) = person(&app, &admin, "penilai-bentuk", "BKD", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": a }] }),
        )
        .await;
    let mut trainees = Vec::new();
    for n in 0..12 {
        let (t, trainee) = person(&app, &admin, &format!("bentuk{n}"), "Dinkes", "trainee").await;
        enrol(&admin, &batch_id, &t).await;
        sit(&trainee, &exam_id, "Jawaban saya.", false).await;
        trainees.push(trainee);
    }
    // An exam starts only from its own page and endpoint, which check its
    // release and hand out the candidate code: not as a quiz.
    let quiz_path = format!(
        "/api/v1/quizzes/{}/attempts",
        exam["assessment_id"].as_str().unwrap()
    );
    let (status, _) = trainees[0].post(&quiz_path, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Form 1 is marked full on its two criteria; form 2 short of its
    // must-pass criterion (1 of 3), with the comment that then needs.
    let q = queue(&assessor).await;
    let items = q["items"].as_array().unwrap();
    assert_eq!(items.len(), 12, "{q}");
    let mut per_form = [0, 0];
    for item in items {
        let task = &item["task"];
        assert_eq!(task["forms"], 2, "{item}");
        let prompt = task["prompt_html"].as_str().unwrap();
        if task["form"] == 1 {
            assert!(prompt.contains("DNS"), "{item}");
            assert_eq!(task["rubric"].as_array().unwrap().len(), 2);
            assert_eq!(task["pass_points"], 4.0);
            mark(&assessor, item, &[3, 3], "Lengkap.", None).await;
            per_form[0] += 1;
        } else {
            assert_eq!(task["form"], 2, "{item}");
            assert!(prompt.contains("DHCP"), "{item}");
            assert_eq!(task["rubric"][0]["criterion"], "Alur DHCP");
            assert_eq!(task["max_points"], 3.0);
            mark(&assessor, item, &[1], "Alur DHCP belum lengkap.", None).await;
            per_form[1] += 1;
        }
    }
    assert!(
        per_form[0] > 0 && per_form[1] > 0,
        "both forms are handed out: {per_form:?}"
    );
    let (status, _) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut decided = [0, 0];
    for trainee in &trainees {
        let (_, mine) = trainee
            .get(&format!("/api/v1/exams/{exam_id}/my-result"))
            .await;
        let unit = &mine["result"]["units"][0];
        if unit["tasks"][0]["final_total"] == 6.0 {
            assert_eq!(unit["label"], "Kompeten", "{mine}");
            decided[0] += 1;
        } else {
            assert_eq!(unit["tasks"][0]["final_total"], 1.0, "{mine}");
            assert_eq!(unit["tasks"][0]["unmet_criteria"], json!(["Alur DHCP"]));
            assert_eq!(unit["label"], "Belum Kompeten", "{mine}");
            decided[1] += 1;
        }
    }
    assert_eq!(decided, per_form);
}

async fn appeals_go_to_another_assessor(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam(&app, "BND", false).await;
    let (k, candidate) = person(&app, &admin, "pembanding", "Dinkes", "trainee").await;
    let (other_id, other) = person(&app, &admin, "lainnya", "Bappeda", "trainee").await;
    enrol(&admin, &batch_id, &k).await;
    enrol(&admin, &batch_id, &other_id).await;
    let (a, first) = person(&app, &admin, "penilai1", "BKD", "assessor").await;
    let (same_unit, _) = person(&app, &admin, "penilai2", "Dinkes", "assessor").await;
    let (fresh, appeal_assessor) =
        person(&app, &admin, "penilai3", "Inspektorat", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": a }] }),
        )
        .await;
    sit(&candidate, &exam_id, "DNS itu penting.", true).await;
    let q = queue(&first).await;
    mark(&first, &q["items"][0], &[1, 1], "Kurang lengkap.", None).await;

    // Not before release; and only the candidate.
    let (status, body) = candidate
        .post(
            &format!("/api/v1/exams/{exam_id}/appeals"),
            &json!({ "reason": "Mohon ditinjau ulang." }),
        )
        .await;
    assert_error(status, &body, 409, "results_not_released");
    admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    let (status, _) = other
        .post(
            &format!("/api/v1/exams/{exam_id}/appeals"),
            &json!({ "reason": "Saya tidak ikut ujian." }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = candidate
        .post(
            &format!("/api/v1/exams/{exam_id}/appeals"),
            &json!({ "reason": "kurang" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let reason = "Jawaban saya sudah menjelaskan resolusi nama; mohon dinilai ulang.";
    let (status, appeal) = candidate
        .post(
            &format!("/api/v1/exams/{exam_id}/appeals"),
            &json!({ "reason": reason }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{appeal}");
    let (status, body) = candidate
        .post(
            &format!("/api/v1/exams/{exam_id}/appeals"),
            &json!({ "reason": reason }),
        )
        .await;
    assert_error(status, &body, 409, "appeal_exists");
    let appeal_id = appeal["id"].as_str().unwrap();

    // Not the assessor who marked it, nor one from the candidate's unit kerja.
    let assign = |who: &str| json!({ "assessor_id": who });
    let (status, body) = admin
        .post(&format!("/api/v1/appeals/{appeal_id}/assign"), &assign(&a))
        .await;
    assert_error(status, &body, 409, "same_assessor");
    let (status, body) = admin
        .post(
            &format!("/api/v1/appeals/{appeal_id}/assign"),
            &assign(&same_unit),
        )
        .await;
    assert_error(status, &body, 409, "conflict_of_interest");
    let (status, body) = candidate
        .post(
            &format!("/api/v1/appeals/{appeal_id}/assign"),
            &assign(&fresh),
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (status, row) = admin
        .post(
            &format!("/api/v1/appeals/{appeal_id}/assign"),
            &assign(&fresh),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["appeal"]["status"], "assigned");

    let q = queue(&appeal_assessor).await;
    let item = &q["items"][0];
    assert_eq!(item["round"], "banding");
    assert_eq!(item["appeal_reason"], reason);
    assert!(
        item["other_marks"].as_array().unwrap().is_empty(),
        "blind to the first mark"
    );
    // Until decided, the released result stands.
    let (_, mine) = candidate
        .get(&format!("/api/v1/exams/{exam_id}/my-result"))
        .await;
    assert_eq!(mine["result"]["units"][0]["tasks"][0]["final_total"], 2.0);
    assert_eq!(mine["appeal"]["status"], "assigned");
    mark(
        &appeal_assessor,
        item,
        &[3, 3],
        "Penjelasan resolusi nama sudah tepat.",
        Some("Jawaban memenuhi kriteria ketepatan."),
    )
    .await;

    let (_, mine) = candidate
        .get(&format!("/api/v1/exams/{exam_id}/my-result"))
        .await;
    assert_eq!(mine["appeal"]["status"], "decided", "{mine}");
    assert_eq!(mine["result"]["units"][0]["tasks"][0]["final_total"], 6.0);
    assert_eq!(mine["result"]["units"][0]["label"], "Kompeten");
    let (_, appeals) = admin.get(&format!("/api/v1/exams/{exam_id}/appeals")).await;
    assert_eq!(appeals[0]["appeal"]["status"], "decided");
    assert_eq!(appeals[0]["assessor_name"], "Nama penilai3");
}

async fn assessors_see_only_their_items_and_no_identities(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam(&app, "ISO", true).await;
    let (k1, c1) = person(&app, &admin, "calon1", "Dinas Kesehatan", "trainee").await;
    let (k2, c2) = person(&app, &admin, "calon2", "Bappeda", "trainee").await;
    enrol(&admin, &batch_id, &k1).await;
    enrol(&admin, &batch_id, &k2).await;
    let (m1, s1) = person(&app, &admin, "nilai1", "Dinas Kesehatan", "assessor").await;
    let (m2, s2) = person(&app, &admin, "nilai2", "BKD", "assessor").await;
    let (m3, s3) = person(&app, &admin, "nilai3", "Inspektorat", "assessor").await;

    // Roles: only admins build exams and assign assessors.
    let (status, _) = c1
        .post("/api/v1/exams", &json!({ "template": "humas_penulisan" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s1
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": m1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": k1 }] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, assigned) = admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": m1, "lead": true }, { "user_id": m2 }, { "user_id": m3 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    // The system says who may not grade whom.
    let nilai1 = assigned
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["user_id"] == m1.as_str())
        .unwrap();
    assert_eq!(
        nilai1["conflicts"][0]["trainee_name"], "Nama calon1",
        "{assigned}"
    );

    sit(&c1, &exam_id, "Jawaban calon satu tentang DNS.", false).await;
    sit(&c2, &exam_id, "Jawaban calon dua tentang DNS.", false).await;
    let queues = [queue(&s1).await, queue(&s2).await, queue(&s3).await];
    let total: usize = queues
        .iter()
        .map(|q| q["items"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 4, "two markers for each of two candidates");
    // Never the candidate from one's own unit kerja.
    assert!(
        !queues[0].to_string().contains("calon satu"),
        "{}",
        queues[0]
    );
    for q in &queues {
        let text = q.to_string();
        for secret in [
            "Nama calon",
            "Dinas Kesehatan",
            "Bappeda",
            "calon1",
            "calon2",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    // Another assessor's item is not there; trainees and assessors are kept out.
    // Every item belongs to one assessor: the others get 404.
    let foreign_id = queues[0]["items"][0]["id"].as_str().unwrap();
    for outsider in [&s2, &s3] {
        let (status, _) = outsider.get(&format!("/api/v1/grading/{foreign_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = outsider
            .post(
                &format!("/api/v1/grading/{foreign_id}"),
                &json!({ "levels": [3, 3] }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = c1.get("/api/v1/grading/queue").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s1.get(&format!("/api/v1/exams/{exam_id}/results")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = c1.get(&format!("/api/v1/exams/{exam_id}/results")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = c1.get(&format!("/api/v1/exams/{exam_id}/my-result")).await;
    assert_error(status, &body, 409, "results_not_released");
    // An assessor's own draft is not visible to the other marker before moderation.
    let item = &queues[1]["items"][0];
    if !item.is_null() {
        let id = item["id"].as_str().unwrap();
        s2.post(
            &format!("/api/v1/grading/{id}"),
            &json!({ "levels": [3, 3], "comment": "rahasia penilai dua" }),
        )
        .await;
        for other in [&s1, &s3] {
            assert!(
                !queue(other)
                    .await
                    .to_string()
                    .contains("rahasia penilai dua")
            );
        }
    }
}

async fn put_file(
    session: &Session,
    exam_id: &str,
    key: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    crate::support::read(
        session
            .request(
                reqwest::Method::PUT,
                &format!("/api/v1/exams/{exam_id}/tasks/{key}/file"),
            )
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn task_files_are_checked_and_reach_the_assessor_anonymously(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam(&app, "BRK", false).await;
    let (k, candidate) = person(&app, &admin, "pengunggah", "Dinkes", "trainee").await;
    let (late_id, late) = person(&app, &admin, "belummulai", "Dinkes", "trainee").await;
    enrol(&admin, &batch_id, &k).await;
    enrol(&admin, &batch_id, &late_id).await;
    let (a, assessor) = person(&app, &admin, "pemeriksa", "BKD", "assessor").await;
    let (_, stranger) = person(&app, &admin, "bukanpemeriksa", "BKD", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": a }] }),
        )
        .await;
    let pdf = b"%PDF-1.4\n% rilis pers\n".to_vec();
    // Not started yet: nothing to attach to.
    let (status, body) = put_file(&late, &exam_id, "esai", "a.pdf", pdf.clone()).await;
    assert_error(status, &body, 409, "attempt_closed");
    candidate
        .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    let (status, body) = put_file(
        &candidate,
        &exam_id,
        "esai",
        "virus.pdf",
        b"MZ\x90\x00".to_vec(),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "file");
    let (status, body) = put_file(
        &candidate,
        &exam_id,
        "esai",
        "besar.pdf",
        [pdf.clone(), vec![b' '; 2048]].concat(),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert!(body.to_string().contains("melebihi batas"), "{body}");
    let (status, _) = put_file(&candidate, &exam_id, "tidak-ada", "a.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, saved) = put_file(
        &candidate,
        &exam_id,
        "esai",
        // Named after the candidate, without an extension: the assessor gets neither.
        "Siaran Pers Nama Pengunggah",
        pdf.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["size_bytes"], pdf.len());
    let (_, mine) = candidate
        .get(&format!("/api/v1/exams/{exam_id}/files"))
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    sit(&candidate, &exam_id, "Terlampir.", false).await;
    let (status, body) = put_file(&candidate, &exam_id, "esai", "lagi.pdf", pdf.clone()).await;
    assert_error(status, &body, 409, "attempt_closed");

    let q = queue(&assessor).await;
    let item = &q["items"][0];
    let name = item["response_file"]["file_name"].as_str().unwrap();
    assert!(
        name.starts_with("PK-") && name.ends_with("-esai.pdf"),
        "{name}"
    );
    assert!(
        !q.to_string().contains("Pengunggah"),
        "the file name is not passed on"
    );
    let id = item["id"].as_str().unwrap();
    let resp = assessor
        .request(reqwest::Method::GET, &format!("/api/v1/grading/{id}/file"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains(name), "{disposition}");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), pdf);
    let (status, _) = stranger.get(&format!("/api/v1/grading/{id}/file")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = candidate.get(&format!("/api/v1/grading/{id}/file")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn both_shipped_templates_build_on_the_shipped_banks(app: TestApp) {
    let admin = app.admin().await;
    for (track, template, units) in [
        ("humas", "humas_penulisan", 5),
        ("pranata_komputer", "pranata_komputer", 5),
    ] {
        let (status, report) = import(
            &admin,
            &format!("{track}.gift"),
            &shipped_bank(track),
            &[("name", track)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let (_, batch) = course_and_batch(&admin, &track[..3].to_uppercase(), json!({})).await;
        let (status, exam) = admin
            .post(
                "/api/v1/exams",
                &json!({ "batch_id": batch["id"], "template": template }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{template}: {exam}");
        assert_eq!(exam["units"].as_array().unwrap().len(), units);
        for task in exam["tasks"].as_array().unwrap() {
            assert!(task["rubric"].as_array().unwrap().len() >= 4, "{task}");
        }
    }
    let (status, body) = admin
        .post("/api/v1/exams", &json!({ "template": "tidak_ada" }))
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "template");
}

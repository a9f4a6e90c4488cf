//! The participants' evaluation: trainees of a batch answer once and
//! anonymously from its last day; administrators see the results (mean,
//! index 25–100, distribution, comments) from five answers, download them,
//! and edit a course's questions on a page. And a trainee on a phone.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{create_batch, day, evaluated_batch};
use crate::support::{ADMIN_PASSWORD, TestApp, assert_error, page, password_of, sign_in};

cases![
    trainees_answer_once_anonymously_and_results_show_from_five,
    only_the_batchs_trainees_answer_and_only_administrators_read,
    an_administrator_edits_a_courses_questions_on_the_page,
];

fn answer(org: [u8; 5], bambang: [u8; 4], sri: [u8; 4], comment: Option<&str>) -> Value {
    json!({ "organisation": org, "speakers": [bambang, sri], "comment": comment })
}

async fn trainees_answer_once_anonymously_and_results_show_from_five(app: TestApp) {
    let admin = app.admin().await;
    let (batch_id, _, trainees) = evaluated_batch(&app, &admin, "EVA", 6).await;
    let form_path = format!("/api/v1/batches/{batch_id}/evaluation/form");
    let path = format!("/api/v1/batches/{batch_id}/evaluation");

    let (status, form) = trainees[0].get(&form_path).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert_eq!(
        form["questions"]["organisation"].as_array().unwrap().len(),
        5
    );
    assert_eq!(form["questions"]["speaker"].as_array().unwrap().len(), 4);
    assert_eq!(
        form["speakers"],
        json!(["Dr. Bambang Sutopo", "Ir. Sri Wahyuni"])
    );
    assert_eq!(form["scale"][3]["label"], "Sangat baik");
    assert_eq!(form["answered"], false);
    assert!(form["closed_because"].is_null(), "{form}");

    // Every bad score is named at once; nothing is kept.
    let (status, body) = trainees[0]
        .post(
            &path,
            &json!({ "organisation": [4, 5, 3, 3, 0], "speakers": [[4, 4, 4, 4]] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["organisation[1]", "organisation[4]", "speakers"],
        "{body}"
    );

    let given = [
        answer(
            [4, 4, 3, 3, 4],
            [4, 4, 4, 4],
            [2, 2, 3, 3],
            Some("Ruang terlalu dingin"),
        ),
        answer([3, 3, 3, 3, 3], [4, 3, 4, 4], [2, 3, 3, 3], None),
        answer(
            [4, 4, 4, 4, 4],
            [4, 4, 4, 4],
            [1, 2, 2, 2],
            Some("=HYPERLINK(\"x\")"),
        ),
        answer([2, 3, 3, 3, 3], [3, 4, 4, 3], [2, 2, 2, 2], Some("   ")),
        answer(
            [4, 3, 4, 4, 4],
            [4, 4, 4, 4],
            [3, 3, 3, 3],
            Some("Jadwal padat"),
        ),
    ];
    for (i, answers) in given.iter().take(4).enumerate() {
        let (status, body) = trainees[i].post(&path, answers).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    // Once each.
    let (status, body) = trainees[0].post(&path, &given[0]).await;
    assert_error(status, &body, 409, "already_answered");
    let (_, form) = trainees[0].get(&form_path).await;
    assert_eq!(form["answered"], true);

    // Four answers: the count, and nothing else.
    let (status, results) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results["participants"], 6);
    assert_eq!(results["results"]["respondents"], 4);
    assert_eq!(results["results"]["shown"], false);
    assert!(results["results"]["organisation"].is_null());
    assert_eq!(results["results"]["comments"], json!([]));

    let (status, _) = trainees[4].post(&path, &given[4]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Five of six answered: nothing shown until the results are final, or
    // the sixth answer could be read off the change.
    let (_, results) = admin.get(&path).await;
    assert_eq!(results["results"]["respondents"], 5);
    assert_eq!(results["results"]["shown"], false, "{results}");
    assert_eq!(results["closed"], false);
    assert_eq!(results["open_until"], day(30));
    // The organiser closes it: no more answers, and the final results.
    let close = format!("{path}/close");
    let (status, body) = trainees[5].post(&close, &json!({})).await;
    assert_error(status, &body, 403, "forbidden");
    let resp = admin
        .request(reqwest::Method::POST, &close)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (status, body) = trainees[5].post(&path, &given[1]).await;
    assert_error(status, &body, 409, "evaluation_closed");
    let (_, results) = admin.get(&path).await;
    assert_eq!(results["closed"], true);
    let r = &results["results"];
    assert_eq!(r["shown"], true, "{results}");
    assert_eq!(r["respondents"], 5);
    let first = &r["organisation"]["items"][0];
    assert_eq!(first["item"], "Kesesuaian materi dengan kebutuhan tugas");
    assert_eq!(first["distribution"], json!([0, 1, 1, 3]));
    assert_eq!(first["mean"], 3.4);
    assert_eq!(first["index"], 85.0);
    assert_eq!(r["speakers"][0]["name"], "Dr. Bambang Sutopo");
    assert_eq!(r["speakers"][0]["grade"], "A (Sangat baik)");
    assert_eq!(r["speakers"][1]["index"], 60.0);
    assert_eq!(r["speakers"][1]["grade"], "D (Tidak baik)");
    assert_eq!(
        r["comments"],
        json!(["=HYPERLINK(\"x\")", "Jadwal padat", "Ruang terlalu dingin"])
    );
    // Anonymous: nothing in the results says who answered.
    let text = results.to_string();
    for i in 0..6 {
        assert!(
            !text.contains(&format!("eva_{i}")),
            "a username leaked: {text}"
        );
    }

    // The download, formula-safe.
    let resp = admin
        .request(reqwest::Method::GET, &format!("{path}?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csv = resp.text().await.unwrap();
    assert!(csv.contains("Bagian,Pernyataan,Kurang (1)"), "{csv}");
    assert!(
        csv.contains("Narasumber: Ir. Sri Wahyuni,Keseluruhan"),
        "{csv}"
    );
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    let resp = admin
        .request(reqwest::Method::GET, &format!("{path}?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK"));

    // The page shows the same, in Indonesian.
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = page(
        &client,
        &app,
        &format!("/admin/batches/{batch_id}/evaluasi"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("5 dari 6 peserta mengisi") && html.contains("Narasumber: Ir. Sri Wahyuni"),
        "{html}"
    );
    assert!(html.contains("D (Tidak baik)") && html.contains("Jadwal padat"));
    let resp = client
        .get(app.url(&format!(
            "/admin/batches/{batch_id}/evaluasi/unduh?format=csv"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("'=HYPERLINK"));
}

async fn only_the_batchs_trainees_answer_and_only_administrators_read(app: TestApp) {
    let admin = app.admin().await;
    let (batch_id, course_id, trainees) = evaluated_batch(&app, &admin, "EVB", 1).await;
    let path = format!("/api/v1/batches/{batch_id}/evaluation");
    let form_path = format!("{path}/form");
    let (_, assessor) = app.user_with_roles("asesor_evb", &["assessor"]).await;
    let (_, outsider) = app.user_with_roles("luar_evb", &["trainee"]).await;
    let some_answer = answer([4; 5], [4; 4], [4; 4], None);

    // Administrators and assessors neither see the form nor answer.
    for who in [&admin, &assessor] {
        let (status, body) = who.get(&form_path).await;
        assert_error(status, &body, 403, "forbidden");
        let (status, body) = who.post(&path, &some_answer).await;
        assert_error(status, &body, 403, "forbidden");
    }
    // Another trainee: the batch is not theirs to see.
    let (status, _) = outsider.get(&form_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = outsider.post(&path, &some_answer).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Only administrators close it; not before the last day.
    for who in [&trainees[0], &assessor] {
        let (status, body) = who.post(&format!("{path}/close"), &json!({})).await;
        assert_error(status, &body, 403, "forbidden");
    }
    let (status, _) = admin
        .post(
            &format!("/api/v1/batches/{}/evaluation/close", uuid::Uuid::nil()),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Only administrators read the results.
    for who in [&trainees[0], &assessor] {
        let (status, body) = who.get(&path).await;
        assert_error(status, &body, 403, "forbidden");
    }
    assert_eq!(app.anonymous().get(&path).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = admin
        .get(&format!("/api/v1/batches/{}/evaluation", uuid::Uuid::nil()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Before the last day the form is closed, and says so.
    let future = create_batch(
        &admin,
        &course_id,
        json!({ "name": "Angkatan Depan", "starts_on": day(10), "ends_on": day(11),
                "sessions": [{ "day": day(10), "starts_at": "08:00", "ends_at": "12:00" }] }),
    )
    .await;
    let future_id = future["id"].as_str().unwrap();
    let (me, _) = app.user_with_roles("depan_evb", &["trainee"]).await;
    admin
        .post(
            &format!("/api/v1/batches/{future_id}/enrolments"),
            &json!({ "user_id": me["id"] }),
        )
        .await;
    let early = app.login("depan_evb", &password_of("depan_evb")).await;
    let (status, form) = early
        .get(&format!("/api/v1/batches/{future_id}/evaluation/form"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form["closed_because"]
            .as_str()
            .unwrap()
            .contains("hari terakhir"),
        "{form}"
    );
    assert_eq!(form["speakers"], json!([]));
    let (status, body) = early
        .post(
            &format!("/api/v1/batches/{future_id}/evaluation"),
            &json!({ "organisation": [4, 4, 4, 4, 4] }),
        )
        .await;
    assert_error(status, &body, 409, "evaluation_closed");
    let resp = admin
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/batches/{future_id}/evaluation/close"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // The pages refuse the same people.
    let client = app.browser_client();
    sign_in(&client, &app, "luar_evb", &password_of("luar_evb")).await;
    let (status, _) = page(&client, &app, &format!("/my/batches/{batch_id}/evaluasi")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for path in [
        format!("/admin/batches/{batch_id}/evaluasi"),
        format!("/admin/batches/{batch_id}/evaluasi/unduh?format=csv"),
        format!("/admin/courses/{course_id}/evaluasi"),
    ] {
        let (status, _) = page(&client, &app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    // Refused before the confirmation box is looked at: 403, not a reminder.
    for action in [
        format!("/admin/batches/{batch_id}/evaluasi/tutup"),
        format!("/admin/courses/{course_id}/evaluasi/bawaan"),
    ] {
        let (status, _, _) = crate::support::post_form(&client, &app, "/", &action, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
    }
}

async fn an_administrator_edits_a_courses_questions_on_the_page(app: TestApp) {
    let admin = app.admin().await;
    let (batch_id, course_id, trainees) = evaluated_batch(&app, &admin, "EVC", 1).await;
    let (status, _) = trainees[0]
        .post(
            &format!("/api/v1/batches/{batch_id}/evaluation"),
            &answer([4; 5], [4; 4], [3; 4], None),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let edit = format!("/admin/courses/{course_id}/evaluasi");
    let (status, html) = page(&client, &app, &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Pelayanan panitia penyelenggara") && html.contains("bawaan"));
    let (status, html, _) = crate::support::post_form(
        &client,
        &app,
        &edit,
        &edit,
        &[("organisation", "  \n"), ("speaker", "Penguasaan materi")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<strong>Penyelenggaraan</strong>"), "{html}");
    let (status, _, location) = crate::support::post_form(
        &client,
        &app,
        &edit,
        &edit,
        &[
            (
                "organisation",
                "Manfaat materi bagi tugas\nKetersediaan konsumsi",
            ),
            ("speaker", "Penguasaan materi\nKejelasan contoh"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("notice="));

    // The next trainee is asked the new questions.
    let (me, _) = app.user_with_roles("evc_baru", &["trainee"]).await;
    admin
        .post(
            &format!("/api/v1/batches/{batch_id}/enrolments"),
            &json!({ "user_id": me["id"] }),
        )
        .await;
    let newcomer = app.login("evc_baru", &password_of("evc_baru")).await;
    let (_, form) = newcomer
        .get(&format!("/api/v1/batches/{batch_id}/evaluation/form"))
        .await;
    assert_eq!(
        form["questions"]["organisation"],
        json!(["Manfaat materi bagi tugas", "Ketersediaan konsumsi"])
    );
    assert_eq!(form["questions"]["speaker"].as_array().unwrap().len(), 2);

    // Back to the shipped questions, only with the confirmation ticked.
    let reset = format!("{edit}/bawaan");
    let (_, _, location) = crate::support::post_form(&client, &app, &edit, &reset, &[]).await;
    assert!(location.unwrap().contains("error="));
    let (_, _, location) =
        crate::support::post_form(&client, &app, &edit, &reset, &[("confirm", "on")]).await;
    assert!(location.unwrap().contains("notice="));
    let (_, form) = newcomer
        .get(&format!("/api/v1/batches/{batch_id}/evaluation/form"))
        .await;
    assert_eq!(
        form["questions"]["organisation"].as_array().unwrap().len(),
        5
    );

    // Closing on the page waits for its confirmation.
    let results = format!("/admin/batches/{batch_id}/evaluasi");
    let close = format!("{results}/tutup");
    let (_, html) = page(&client, &app, &results).await;
    assert!(html.contains("Tutup evaluasi"), "{html}");
    let (_, _, location) = crate::support::post_form(&client, &app, &results, &close, &[]).await;
    assert!(location.unwrap().contains("error="));
    let (_, form) = newcomer
        .get(&format!("/api/v1/batches/{batch_id}/evaluation/form"))
        .await;
    assert!(form["closed_because"].is_null(), "still open: {form}");
    let (_, _, location) =
        crate::support::post_form(&client, &app, &results, &close, &[("confirm", "on")]).await;
    assert!(location.unwrap().contains("notice="));
    let (_, form) = newcomer
        .get(&format!("/api/v1/batches/{batch_id}/evaluation/form"))
        .await;
    assert!(
        form["closed_because"].as_str().unwrap().contains("ditutup"),
        "{form}"
    );
    let (_, html) = page(&client, &app, &results).await;
    assert!(
        !html.contains("Tutup evaluasi sekarang"),
        "closed once: {html}"
    );
}

//! Courses and modules: authoring, publishing, reading, progress.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{course_with_modules, seat};
use crate::support::{ADMIN_PASSWORD, Session, TestApp, assert_error, csrf_token, page, sign_in};

cases![
    published_courses_only_are_visible_to_trainees,
    course_fields_are_validated,
    course_endpoints_refuse_other_roles,
    reading_progress_is_per_trainee_and_idempotent,
    modules_can_be_reordered,
    scripts_never_reach_a_page,
    attachments_are_checked_and_served,
    course_editor_and_reading_pages,
];

async fn publish(admin: &Session, id: &str) {
    let (status, body) = admin
        .patch(
            &format!("/api/v1/courses/{id}"),
            &json!({ "status": "published" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn published_courses_only_are_visible_to_trainees(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(
        &admin,
        "BIMTEK-PK-2026",
        &[("Jaringan", 4), ("Keamanan", 3), ("Penutup", 0)],
    )
    .await;
    assert_eq!(course["total_jp"], 7);
    assert_eq!(course["module_count"], 3);
    assert_eq!(course["target_level"], "Terampil");
    assert_eq!(course["status"], "draft");
    let id = course["id"].as_str().unwrap();
    let module_id = course["modules"][0]["id"].as_str().unwrap();

    let (_, trainee) = app.user_with_roles("peserta", &["trainee"]).await;
    let (_, list) = trainee.get("/api/v1/courses").await;
    assert_eq!(list, json!([]));
    assert_error(
        trainee.get(&format!("/api/v1/courses/{id}")).await.0,
        &trainee.get(&format!("/api/v1/courses/{id}")).await.1,
        404,
        "not_found",
    );
    assert_eq!(
        trainee.get(&format!("/api/v1/modules/{module_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        trainee
            .post(&format!("/api/v1/modules/{module_id}/complete"), &json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    publish(&admin, id).await;
    let (_, list) = trainee.get("/api/v1/courses").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, detail) = trainee.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["progress"], json!({ "read": 0, "total": 3 }));

    let (_, archived) = admin
        .patch(
            &format!("/api/v1/courses/{id}"),
            &json!({ "status": "archived" }),
        )
        .await;
    assert_eq!(archived["status"], "archived");
    assert_eq!(
        trainee.get(&format!("/api/v1/courses/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, all) = admin.get("/api/v1/courses?status=archived").await;
    assert_eq!(
        all.as_array().unwrap().len(),
        1,
        "admins still see archived courses"
    );
}

async fn course_fields_are_validated(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": "X Y", "title": " ", "track": "humas", "target_level": "Ahli Utama" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    // Every field the document refuses, at once; rules between fields
    // (humas has no Ahli Utama) once the fields themselves are right.
    assert_eq!(fields, ["code", "title"]);
    let (status, body) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": "XY-1", "title": "Humas", "track": "humas", "target_level": "Ahli Utama" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "target_level");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Ahli Utama")
    );

    let (status, _) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": "bimtek-hm-2026", "title": "Humas", "track": "humas" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": "BIMTEK-HM-2026", "title": "Lagi", "track": "humas" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "code");
    let (status, body) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": "OK-1", "title": "T", "track": "sejarah" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "track", "{body}");

    let course = course_with_modules(&admin, "PK-1", &[]).await;
    let id = course["id"].as_str().unwrap();
    let (status, body) = admin
        .post(
            &format!("/api/v1/courses/{id}/modules"),
            &json!({ "title": "", "jp": 500 }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"].as_array().unwrap().len(), 2);
}

async fn course_endpoints_refuse_other_roles(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "PK-ROLES", &[("Satu", 1)]).await;
    let id = course["id"].as_str().unwrap().to_owned();
    let module_id = course["modules"][0]["id"].as_str().unwrap().to_owned();
    publish(&admin, &id).await;
    let (_, trainee) = app.user_with_roles("peserta", &["trainee"]).await;
    let (_, assessor) = app.user_with_roles("asesor", &["assessor"]).await;
    let writes = [
        (
            Method::POST,
            "/api/v1/courses".to_owned(),
            json!({ "code": "NEW-1", "title": "T", "track": "umum" }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/courses/{id}"),
            json!({ "title": "Diubah" }),
        ),
        (
            Method::POST,
            format!("/api/v1/courses/{id}/modules"),
            json!({ "title": "Baru" }),
        ),
        (
            Method::POST,
            format!("/api/v1/courses/{id}/modules/reorder"),
            json!({ "module_ids": [module_id] }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/modules/{module_id}"),
            json!({ "title": "Diubah" }),
        ),
    ];
    for (method, path, body) in &writes {
        for (who, session, expected) in [
            ("trainee", &trainee, 403),
            ("assessor", &assessor, 403),
            ("anonymous", &app.anonymous(), 401),
        ] {
            let resp = session
                .request(method.clone(), path)
                .json(body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), expected, "{who} {method} {path}");
        }
    }
    let (status, _) = trainee
        .upload(
            &format!("/api/v1/modules/{module_id}/attachments"),
            "a.pdf",
            b"%PDF-1.4".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Marking a module read is a trainee's act.
    assert_eq!(
        admin
            .post(&format!("/api/v1/modules/{module_id}/complete"), &json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        assessor
            .post(&format!("/api/v1/modules/{module_id}/complete"), &json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.anonymous().get("/api/v1/courses").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, unchanged) = admin.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(unchanged["title"], "Bimtek PK-ROLES");
    assert_eq!(unchanged["modules"].as_array().unwrap().len(), 1);
}

async fn reading_progress_is_per_trainee_and_idempotent(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "PK-READ", &[("Satu", 2), ("Dua", 2)]).await;
    let id = course["id"].as_str().unwrap();
    let first = course["modules"][0]["id"].as_str().unwrap();
    publish(&admin, id).await;
    let (ani_user, ani) = app.user_with_roles("ani", &["trainee"]).await;
    let (budi_user, budi) = app.user_with_roles("budi", &["trainee"]).await;
    seat(&admin, id, &[&ani_user, &budi_user]).await;
    let (status, done) = ani
        .post(&format!("/api/v1/modules/{first}/complete"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (_, again) = ani
        .post(&format!("/api/v1/modules/{first}/complete"), &json!({}))
        .await;
    assert_eq!(
        done["completed_at"], again["completed_at"],
        "the first time is kept"
    );
    let (_, mine) = ani.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(mine["progress"], json!({ "read": 1, "total": 2 }));
    assert_eq!(mine["modules"][0]["completed"], true);
    let (_, theirs) = budi.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(
        theirs["progress"],
        json!({ "read": 0, "total": 2 }),
        "progress is personal"
    );
    let (_, module) = ani.get(&format!("/api/v1/modules/{first}")).await;
    assert_eq!(module["completed"], true);
    assert_eq!(module["previous_id"], Value::Null);
    assert_eq!(module["next_id"], course["modules"][1]["id"]);
}

async fn modules_can_be_reordered(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "PK-ORDER", &[("A", 1), ("B", 1), ("C", 1)]).await;
    let id = course["id"].as_str().unwrap();
    let ids: Vec<&str> = course["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let (status, body) = admin
        .post(
            &format!("/api/v1/courses/{id}/modules/reorder"),
            &json!({ "module_ids": [ids[0], ids[1]] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, detail) = admin
        .post(
            &format!("/api/v1/courses/{id}/modules/reorder"),
            &json!({ "module_ids": [ids[2], ids[0], ids[1]] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let titles: Vec<&str> = detail["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["C", "A", "B"]);
}

async fn scripts_never_reach_a_page(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "PK-XSS", &[]).await;
    let id = course["id"].as_str().unwrap();
    let evil = "# Modul\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[klik](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 | 2 |";
    let (_, module) = admin
        .post(
            &format!("/api/v1/courses/{id}/modules"),
            &json!({ "title": "<b>Judul</b>", "body_markdown": evil }),
        )
        .await;
    let html = module["body_html"].as_str().unwrap();
    assert!(html.contains("<table>"), "{html}");
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    publish(&admin, id).await;
    app.user_with_roles("peserta", &["trainee"]).await;
    let client = app.browser_client();
    sign_in(
        &client,
        &app,
        "peserta",
        &crate::support::password_of("peserta"),
    )
    .await;
    let module_id = module["id"].as_str().unwrap();
    let (_, page_html) = page(&client, &app, &format!("/modules/{module_id}")).await;
    assert!(
        !page_html.contains("<script") && !page_html.contains("onerror"),
        "{page_html}"
    );
    assert!(
        page_html.contains("&lt;b&gt;Judul&lt;&#x2f;b&gt;") || page_html.contains("&lt;b&gt;Judul"),
        "titles are escaped"
    );
}

async fn attachments_are_checked_and_served(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "PK-FILE", &[("Satu", 1)]).await;
    let id = course["id"].as_str().unwrap();
    let module_id = course["modules"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/modules/{module_id}/attachments");
    let (status, body) = admin
        .upload(&path, "virus.pdf", b"MZ\x90\x00 not a pdf".to_vec())
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF".to_vec();
    let (status, stored) = admin
        .upload(&path, "../Materi Jaringan.pdf", pdf.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["file_name"], "Materi Jaringan.pdf");
    assert_eq!(stored["content_type"], "application/pdf");
    let url = stored["url"].as_str().unwrap();

    app.user_with_roles("peserta", &["trainee"]).await;
    let client = app.browser_client();
    sign_in(
        &client,
        &app,
        "peserta",
        &crate::support::password_of("peserta"),
    )
    .await;
    assert_eq!(
        client.get(app.url(url)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "draft course"
    );
    publish(&admin, id).await;
    let resp = client.get(app.url(url)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), pdf);
    let (_, module) = admin.get(&format!("/api/v1/modules/{module_id}")).await;
    assert_eq!(module["attachments"][0]["url"], url);
}

async fn course_editor_and_reading_pages(app: TestApp) {
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (_, list) = page(&client, &app, "/admin/courses").await;
    let token = csrf_token(&list);
    let resp = client
        .post(app.url("/admin/courses"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("code", "BIMTEK-HM-2026"),
            ("title", "Menulis Siaran Pers"),
            ("track", "humas"),
            ("target_level", "Terampil"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let editor_path = resp.headers()["location"].to_str().unwrap().to_owned();
    let course_id = editor_path.rsplit('/').next().unwrap().to_owned();

    let preview = client
        .post(app.url(&format!("/admin/courses/{course_id}/modules")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("title", "Struktur"),
            ("jp", "2"),
            ("body_markdown", "**Judul** dan teras"),
            ("action", "preview"),
        ])
        .send()
        .await
        .unwrap();
    let preview_html = preview.text().await.unwrap();
    assert!(
        preview_html.contains("<strong>Judul</strong>"),
        "preview renders Markdown"
    );
    for (title, jp) in [("Struktur siaran pers", "2"), ("Judul dan teras", "3")] {
        let resp = client
            .post(app.url(&format!("/admin/courses/{course_id}/modules")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("title", title),
                ("jp", jp),
                ("body_markdown", "Isi **modul**."),
                ("action", "save"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
    let resp = client
        .post(app.url(&format!("/admin/courses/{course_id}/status")))
        .form(&[("csrf_token", token.as_str()), ("status", "published")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, editor) = page(&client, &app, &editor_path).await;
    assert!(
        editor.contains("Terbit") && editor.contains("5 JP"),
        "{editor}"
    );

    let (peserta, _) = app.user_with_roles("peserta", &["trainee"]).await;
    seat(&app.admin().await, &course_id, &[&peserta]).await;
    let reader = app.browser_client();
    sign_in(
        &reader,
        &app,
        "peserta",
        &crate::support::password_of("peserta"),
    )
    .await;
    let (_, courses) = page(&reader, &app, "/courses").await;
    assert!(
        courses.contains("Menulis Siaran Pers") && courses.contains("0 dari 2 modul dibaca"),
        "{courses}"
    );
    let (_, detail) = page(&reader, &app, &format!("/courses/{course_id}")).await;
    let first = detail
        .split("href=\"/modules/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (_, module) = page(&reader, &app, &format!("/modules/{first}")).await;
    assert!(module.contains("<strong>modul</strong>") && module.contains("Berikutnya"));
    let resp = reader
        .post(app.url(&format!("/modules/{first}/complete")))
        .form(&[("csrf_token", csrf_token(&module).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, detail) = page(&reader, &app, &format!("/courses/{course_id}")).await;
    assert!(
        detail.contains("1 dari 2 modul dibaca") && detail.contains("sudah dibaca"),
        "{detail}"
    );
    let (status, _) = page(&reader, &app, &editor_path).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "trainees cannot open the editor"
    );
}

//! A batch scheduled, its trainees imported and their attendance recorded
//! through the pages, then seen by a trainee on a phone.

use std::future::Future;
use std::pin::Pin;

use fantoccini::{Client, Locator};

use crate::browser::{click, element, fill, fits_the_screen, sign_in, submit, text_of, wait_text};
use crate::support::{ADMIN_PASSWORD, TestApp};

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

/// An admin schedules a batch, imports trainees (first with a bad row) and
/// records attendance; a trainee on a 360×740 screen sees the batch.
pub fn flow(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        let admin = app.admin().await;
        let course =
            crate::given::course_with_modules(&admin, "BIMTEK-PK-2026", &[("Jaringan", 4)]).await;
        let course_id = course["id"].as_str().unwrap().to_owned();
        admin
            .patch(
                &format!("/api/v1/courses/{course_id}"),
                &serde_json::json!({ "status": "published" }),
            )
            .await;
        let nips: Vec<String> = (1200..1203).map(crate::given::nip).collect();
        crate::given::trainees(&admin, 1200, 3).await;
        let (_, found) = admin.get(&format!("/api/v1/users?q={}", nips[0])).await;
        let first_id = found["items"][0]["id"].as_str().unwrap().to_owned();
        admin
            .patch(
                &format!("/api/v1/users/{first_id}"),
                &serde_json::json!({ "password": "Kebun-Teh-Pagi-1" }),
            )
            .await;

        sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
        client
            .goto(&app.url("/admin/batches?month=2026-03"))
            .await
            .unwrap();
        element(&client, "#baru select[name=course_id]")
            .await
            .select_by_value(&course_id)
            .await
            .unwrap();
        fill(&client, "#baru input[name=name]", "Angkatan I 2026").await;
        for (field, value) in [("starts_on", "2026-03-03"), ("ends_on", "2026-03-05")] {
            // Date inputs take the value through script: typing depends on the browser's locale.
            client
                .execute(
                    "document.querySelector(arguments[0]).value = arguments[1];",
                    vec![
                        serde_json::json!(format!("#baru input[name={field}]")),
                        serde_json::json!(value),
                    ],
                )
                .await
                .unwrap();
        }
        fill(&client, "#baru input[name=venue]", "Hotel Puri Asri").await;
        submit(&client, "#baru button[type=submit]").await;
        assert!(text_of(&client, "h1").await.contains("Angkatan I 2026"));

        client
            .execute(
                "document.querySelector('#jadwal input[name=day]').value = '2026-03-03';",
                vec![],
            )
            .await
            .unwrap();
        submit(&client, "#jadwal form.grid button[type=submit]").await;
        assert!(text_of(&client, "#jadwal table").await.contains("08:00"));

        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("peserta.csv");
        std::fs::write(
            &list,
            format!("nip\n{}\n{}\n12345\n{}\n", nips[0], nips[1], nips[2]),
        )
        .unwrap();
        client
            .find(Locator::Css("#peserta input[type=file]"))
            .await
            .unwrap()
            .send_keys(&list.display().to_string())
            .await
            .unwrap();
        submit(
            &client,
            "form[action$='/enrolments/import'] button[type=submit]",
        )
        .await;
        let errors = wait_text(&client, "table.errors").await;
        assert!(
            errors.contains("4") && errors.contains("18 digit"),
            "{errors}"
        );
        std::fs::write(
            &list,
            format!("nip\n{}\n{}\n{}\n", nips[0], nips[1], nips[2]),
        )
        .unwrap();
        client
            .find(Locator::Css("#peserta input[type=file]"))
            .await
            .unwrap()
            .send_keys(&list.display().to_string())
            .await
            .unwrap();
        submit(
            &client,
            "form[action$='/enrolments/import'] button[type=submit]",
        )
        .await;
        assert!(
            wait_text(&client, "#peserta .alert.ok")
                .await
                .contains("3 terdaftar")
        );

        let select = element(&client, "#kehadiran tbody tr:first-child select").await;
        select.select_by_value("present").await.unwrap();
        submit(&client, "#kehadiran button[type=submit]").await;
        assert!(
            wait_text(&client, ".alert.ok")
                .await
                .contains("1 catatan kehadiran disimpan")
        );
        submit(&client, "button.link").await;

        client.set_window_size(360, 740).await.unwrap();
        sign_in(&client, &app, &nips[0], "Kebun-Teh-Pagi-1").await;
        client.goto(&app.url("/my/batches")).await.unwrap();
        let card = wait_text(&client, ".batch-card").await;
        assert!(
            card.contains("Angkatan I 2026")
                && card.contains("Hotel Puri Asri")
                && card.contains("3 Maret 2026"),
            "{card}"
        );
        click(&client, ".batch-card details summary").await;
        assert!(
            text_of(&client, ".schedule")
                .await
                .contains("08:00–16:00 WIB")
        );
        fits_the_screen(&client, "the batch page").await;
    })
}

//! The exam in a real browser: an assessor grades on a tablet (levels are
//! clicked, the running total follows, a draft survives a reload, then the
//! mark is finalised), the candidate reads the released result on a phone,
//! and so does the administrator the exam's audit trail and markers.

use std::future::Future;
use std::pin::Pin;

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{element, page_text, sign_in, submit, text_of};
use crate::given::{enrol, person, sit, small_exam};
use crate::support::TestApp;

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

async fn level(client: &Client, criterion: usize, index: usize) {
    client
        .find(Locator::Css(&format!(
            "input[name=level-{criterion}][value=\"{index}\"]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub fn grading_and_results(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        let (admin, exam_id, batch_id) = small_exam(&app, "BRW", false).await;
        let (trainee_id, trainee) = person(&app, &admin, "peserta-b", "Dinkes", "trainee").await;
        enrol(&admin, &batch_id, &trainee_id).await;
        let (assessor_id, _) = person(&app, &admin, "asesor-b", "BKD", "assessor").await;
        admin
            .post(
                &format!("/api/v1/exams/{exam_id}/assessors"),
                &json!({ "assessors": [{ "user_id": assessor_id }] }),
            )
            .await;
        sit(
            &trainee,
            &exam_id,
            "DNS menerjemahkan nama domain menjadi alamat IP.",
            true,
        )
        .await;

        // The assessor, on a tablet.
        client.set_window_size(820, 1180).await.unwrap();
        sign_in(
            &client,
            &app,
            "asesor-b",
            &crate::support::password_of("asesor-b"),
        )
        .await;
        client.goto(&app.url("/grading")).await.unwrap();
        let queue = page_text(&client).await;
        assert!(
            queue.contains("1 belum dinilai") && queue.contains("PK-"),
            "{queue}"
        );
        assert!(!queue.contains("Nama peserta-b"), "no names");
        submit(&client, "table a[href^='/grading/']").await;
        let response = text_of(&client, ".answer-text").await;
        assert!(response.contains("nama domain"), "{response}");
        level(&client, 0, 3).await;
        let partial = text_of(&client, "#running-total").await;
        assert!(
            partial.contains("3 poin") && partial.contains("1 dari 2"),
            "{partial}"
        );
        level(&client, 1, 0).await;
        let below = text_of(&client, "#running-total").await;
        assert!(below.contains("di bawah batas lulus"), "{below}");
        level(&client, 1, 2).await;
        let total = text_of(&client, "#running-total").await;
        assert!(
            total.contains("5 poin") && total.contains("memenuhi"),
            "{total}"
        );
        element(&client, "textarea[name=comment]")
            .await
            .send_keys("Penjelasan tepat dan runtut.")
            .await
            .unwrap();
        submit(&client, "button[value=draft]").await;
        assert!(page_text(&client).await.contains("Draf tersimpan"));
        // The draft is kept: levels and comment are there after the reload.
        client.refresh().await.unwrap();
        let checked = client
            .find_all(Locator::Css("input[type=radio]:checked"))
            .await
            .unwrap()
            .len();
        assert_eq!(checked, 2, "both levels kept");
        assert!(text_of(&client, "#running-total").await.contains("5 poin"));
        submit(&client, "button[value=final]").await;
        let after = page_text(&client).await;
        assert!(
            after.contains("difinalkan") && after.contains("1 final"),
            "{after}"
        );

        // Release, then the candidate on a phone.
        let (status, body) = admin
            .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
            .await;
        assert!(status.is_success(), "{body}");
        submit(&client, "header form button").await;
        client.set_window_size(360, 740).await.unwrap();
        sign_in(
            &client,
            &app,
            "peserta-b",
            &crate::support::password_of("peserta-b"),
        )
        .await;
        client
            .goto(&app.url(&format!("/exams/{exam_id}")))
            .await
            .unwrap();
        let result = page_text(&client).await;
        assert!(result.contains("Mengelola jaringan — Kompeten"), "{result}");
        assert!(
            result.contains("Penjelasan tepat dan runtut.") && result.contains("Ajukan banding")
        );
        assert!(!result.contains("asesor-b"), "no assessor names");
        crate::browser::fits_the_screen(&client, "the result page").await;

        // The administrator reads the exam's trail and markers on the phone.
        submit(&client, "header form button").await;
        sign_in(&client, &app, "admin", crate::support::ADMIN_PASSWORD).await;
        for (tail, words) in [
            ("audit", "Nilai difinalkan"),
            ("markers", "Semua butir penilaian"),
        ] {
            client
                .goto(&app.url(&format!("/admin/exams/{exam_id}/{tail}")))
                .await
                .unwrap();
            let text = page_text(&client).await;
            assert!(text.contains(words), "{text}");
            let overflow = client
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth;",
                    vec![],
                )
                .await
                .unwrap();
            let wide = client
                .execute(
                    "return [...document.querySelectorAll('body *')]\
                     .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)\
                     .map(e => e.tagName + '.' + e.className).slice(0, 8).join(' ');",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                overflow.as_i64().unwrap() <= 0,
                "{tail} scrolls sideways by {overflow}: {wide}"
            );
        }
    })
}

//! A course published and its bank fixed through the pages, then read by a
//! trainee.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::browser::{
    click, fill, page_text, sign_in, submit, text_of, upload, wait_for_path, wait_text,
};
use crate::support::{ADMIN_PASSWORD, TestApp};

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The flow: an admin builds and publishes a two-module course,
/// uploads a GIFT file with an error and then the fixed file; a trainee
/// reads both modules and sees the progress.
pub fn flow(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        let (peserta, _) = app.user_with_roles("peserta", &["trainee"]).await;
        sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
        client.goto(&app.url("/admin/courses")).await.unwrap();
        fill(&client, "#baru input[name=code]", "BIMTEK-HM-2026").await;
        fill(&client, "#baru input[name=title]", "Menulis Siaran Pers").await;
        client
            .find(Locator::Css("#baru select[name=track]"))
            .await
            .unwrap()
            .select_by_value("humas")
            .await
            .unwrap();
        submit(&client, "#baru button[type=submit]").await;
        for (title, body) in [
            ("Struktur siaran pers", "Judul, **teras**, tubuh."),
            (
                "Kutipan narasumber",
                "| Unsur | Isi |\n|---|---|\n| Kutipan | Langsung |",
            ),
        ] {
            fill(&client, "#modul-baru input[name=title]", title).await;
            fill(&client, "#modul-baru input[name=jp]", "2").await;
            fill(&client, "#modul-baru textarea[name=body_markdown]", body).await;
            submit(&client, "#modul-baru button[value=save]").await;
        }
        click(
            &client,
            "form[action$='/status'] input[value=published] ~ button",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let editor = page_text(&client).await;
        assert!(
            editor.contains("Terbit") && editor.contains("2 modul") && editor.contains("4 JP"),
            "{editor}"
        );

        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("latihan.gift");
        std::fs::write(
            &broken,
            "// [tag:unit:siaran-pers]\nSatu {T}\n\nDua {=a ~b\n",
        )
        .unwrap();
        client.goto(&app.url("/admin/banks")).await.unwrap();
        upload(&client, &broken).await;
        submit(&client, "#impor button[type=submit]").await;
        let errors = wait_text(&client, "table.errors").await;
        assert!(
            errors.contains("4") && errors.contains("diharapkan '}'"),
            "{errors}"
        );
        std::fs::write(
            &broken,
            "// [tag:unit:siaran-pers]\nSatu {T}\n\n// [tag:unit:siaran-pers]\nDua {=a ~b}\n",
        )
        .unwrap();
        upload(&client, &broken).await;
        click(&client, "#impor input[name=dry_run]").await;
        submit(&client, "#impor button[type=submit]").await;
        let done = wait_text(&client, ".alert.ok").await;
        assert!(
            done.contains("selesai") && done.contains("2 baru"),
            "{done}"
        );
        submit(&client, "button.link").await;
        wait_for_path(&client, "/login").await;

        let admin = app.admin().await;
        let (_, courses) = admin.get("/api/v1/courses").await;
        let course_id = courses[0]["id"].as_str().unwrap().to_owned();
        crate::given::seat(&admin, &course_id, &[&peserta]).await;
        sign_in(
            &client,
            &app,
            "peserta",
            &crate::support::password_of("peserta"),
        )
        .await;
        client.goto(&app.url("/courses")).await.unwrap();
        assert!(page_text(&client).await.contains("0 dari 2 modul dibaca"));
        submit(&client, ".tile a").await;
        submit(&client, ".modules li a").await;
        assert!(text_of(&client, "article").await.contains("teras"));
        click(&client, ".module-nav form button").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        click(
            &client,
            ".module-nav a.button[href^='/modules/']:last-child",
        )
        .await;
        let table = wait_text(&client, "article table").await;
        assert!(table.contains("Kutipan"), "{table}");
        submit(&client, ".module-nav form button").await;
        submit(&client, "main > p > a").await;
        let course = page_text(&client).await;
        assert!(course.contains("2 dari 2 modul dibaca"), "{course}");
    })
}

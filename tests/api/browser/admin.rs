//! An administrator signs in, reads the API documentation, creates a user,
//! imports a file with a bad row and signs out.

use std::future::Future;
use std::pin::Pin;

use fantoccini::{Client, Locator};

use crate::browser::{fill, text_of, upload, wait_for_path, wait_text};
use crate::support::{ADMIN_PASSWORD, TestApp};

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

pub fn flow(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        client.goto(&app.url("/")).await.unwrap();
        wait_for_path(&client, "/login").await;
        fill(&client, "#login", "admin").await;
        fill(&client, "#password", ADMIN_PASSWORD).await;
        client
            .find(Locator::Css("form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&client, "/").await;
        assert!(text_of(&client, "h1").await.contains("Selamat datang"));

        // The API documentation runs under its content security policy.
        client.goto(&app.url("/api/docs")).await.unwrap();
        assert!(
            text_of(&client, ".swagger-ui .info .title")
                .await
                .contains("Bimtek")
        );

        client.goto(&app.url("/admin/users/new")).await.unwrap();
        fill(&client, "input[name=name]", "Sari Peserta").await;
        fill(&client, "input[name=nip]", "199203042019032005").await;
        fill(
            &client,
            "input[name=password]",
            &crate::support::password_of("sari"),
        )
        .await;
        client
            .find(Locator::Css("form.grid button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&client, "/admin/users").await;
        assert!(text_of(&client, ".alert.ok").await.contains("Sari Peserta"));
        assert!(
            text_of(&client, "table")
                .await
                .contains("199203042019032005")
        );

        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("peserta.csv");
        std::fs::write(&csv, "nip,nama\n199001012015031001,Ani\n19900101,Budi\n").unwrap();
        client.goto(&app.url("/admin/users/import")).await.unwrap();
        upload(&client, &csv).await;
        client
            .find(Locator::Css("main form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let errors = wait_text(&client, "table.errors").await;
        assert!(
            errors.contains("3") && errors.contains("NIP") && errors.contains("18 digit"),
            "{errors}"
        );

        client
            .find(Locator::Css("button.link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&client, "/login").await;
        client.goto(&app.url("/admin/users")).await.unwrap();
        wait_for_path(&client, "/login").await;
    })
}

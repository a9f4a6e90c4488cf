//! Bulk user import from CSV and XLSX.

use reqwest::StatusCode;
use serde_json::json;

use crate::cases;
use crate::given::nip;
use crate::support::{TestApp, assert_error};

cases![
    good_csv_creates_fifty_users,
    bad_rows_are_all_reported_and_nothing_is_written,
    semicolon_csv_with_bom_imports,
    xlsx_imports,
    xlsx_numeric_nip_is_refused,
    reimporting_the_same_file_changes_nothing,
    changed_rows_update_matching_users,
    dry_run_writes_nothing,
];

fn fifty_users_csv() -> String {
    let mut csv = String::from("NIP,Nama,Email,Unit Kerja,Jabatan,Peran\n");
    for i in 0..50 {
        csv.push_str(&format!(
            "{},Peserta {i},peserta{i}@magelangkota.go.id,Dinas {},Calon Pranata Komputer,peserta\n",
            nip(i),
            i % 5
        ));
    }
    csv
}

async fn total_users(app: &TestApp) -> u64 {
    let (_, list) = app.admin().await.get("/api/v1/users").await;
    list["total"].as_u64().unwrap()
}

async fn good_csv_creates_fifty_users(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .upload(
            "/api/v1/users/import",
            "peserta.csv",
            fifty_users_csv().into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "created": 50, "updated": 0, "unchanged": 0, "dry_run": false })
    );
    assert_eq!(total_users(&app).await, 51);
    let (_, found) = admin.get(&format!("/api/v1/users?q={}", nip(7))).await;
    let user = &found["items"][0];
    assert_eq!(user["name"], "Peserta 7");
    assert_eq!(user["unit_kerja"], "Dinas 2");
    assert_eq!(user["roles"], json!(["trainee"]));
    assert_eq!(user["has_password"], false);
}

async fn bad_rows_are_all_reported_and_nothing_is_written(app: TestApp) {
    let admin = app.admin().await;
    let csv = format!(
        "nip,nama,email,peran\n{},Ani,ani@x.go.id,peserta\n198503122010013001,Budi,,peserta\n{},,citra@x.go.id,peserta\n{},Dedi,bukan-email,guru\n",
        nip(1),
        nip(2),
        nip(3)
    );
    let (status, body) = admin
        .upload("/api/v1/users/import", "bad.csv", csv.into_bytes())
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let details: Vec<(u64, String)> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["row"].as_u64().unwrap(),
                d["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        details,
        [
            (3, "nip".to_owned()),
            (4, "name".to_owned()),
            (5, "peran".to_owned()),
            (5, "email".to_owned())
        ],
        "{body}"
    );
    assert_eq!(
        total_users(&app).await,
        1,
        "the valid row 2 was not written either"
    );
}

async fn semicolon_csv_with_bom_imports(app: TestApp) {
    let admin = app.admin().await;
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(format!("nip;nama;unit_kerja\n{};Eka, S.Kom.;BKD\n", nip(4)).into_bytes());
    let (status, body) = admin
        .upload("/api/v1/users/import", "excel-id.csv", bytes)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);
    let (_, found) = admin.get(&format!("/api/v1/users?q={}", nip(4))).await;
    assert_eq!(found["items"][0]["name"], "Eka, S.Kom.");
}

fn workbook(header: &[&str], rows: &[Vec<String>], nip_as_number: bool) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            if nip_as_number && c == 0 {
                sheet
                    .write_number(r, c, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn xlsx_imports(app: TestApp) {
    let admin = app.admin().await;
    let rows: Vec<Vec<String>> = (10..13)
        .map(|i| {
            vec![
                nip(i),
                format!("Pegawai {i}"),
                "humas".into(),
                "peserta".into(),
            ]
        })
        .collect();
    let bytes = workbook(&["NIP", "Nama", "Jabatan", "Peran"], &rows, false);
    let (status, body) = admin
        .upload("/api/v1/users/import", "daftar.xlsx", bytes)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 3);
    let (_, found) = admin.get(&format!("/api/v1/users?q={}", nip(11))).await;
    assert_eq!(found["items"][0]["jabatan"], "humas");
}

async fn xlsx_numeric_nip_is_refused(app: TestApp) {
    let admin = app.admin().await;
    let bytes = workbook(&["nip", "nama"], &[vec![nip(20), "Angka".into()]], true);
    let (status, body) = admin
        .upload("/api/v1/users/import", "angka.xlsx", bytes)
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["row"], 2);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Teks"),
        "{body}"
    );
}

async fn reimporting_the_same_file_changes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let csv = fifty_users_csv().into_bytes();
    assert_eq!(
        admin
            .upload("/api/v1/users/import", "a.csv", csv.clone())
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = admin.upload("/api/v1/users/import", "a.csv", csv).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "created": 0, "updated": 0, "unchanged": 50, "dry_run": false })
    );
    assert_eq!(total_users(&app).await, 51);
}

async fn changed_rows_update_matching_users(app: TestApp) {
    let admin = app.admin().await;
    let first = format!("nip,nama,unit_kerja\n{},Fajar,BKD\n", nip(30));
    assert_eq!(
        admin
            .upload("/api/v1/users/import", "a.csv", first.into_bytes())
            .await
            .0,
        StatusCode::OK
    );
    let second = format!(
        "nip,nama,unit_kerja,peran\n{},Fajar Nugroho,BKD,peserta;asesor\n",
        nip(30)
    );
    let (status, body) = admin
        .upload("/api/v1/users/import", "b.csv", second.into_bytes())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["updated"], 1);
    let (_, found) = admin.get(&format!("/api/v1/users?q={}", nip(30))).await;
    assert_eq!(found["items"][0]["name"], "Fajar Nugroho");
    assert_eq!(found["items"][0]["roles"], json!(["assessor", "trainee"]));
}

async fn dry_run_writes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .upload(
            "/api/v1/users/import?dry_run=true",
            "a.csv",
            fifty_users_csv().into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "created": 50, "updated": 0, "unchanged": 0, "dry_run": true })
    );
    assert_eq!(total_users(&app).await, 1);
}

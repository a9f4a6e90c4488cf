//! JSON/CSV/XLSX API of the records: SIASN riwayat kursus, the JP tally,
//! open data, and one's own JP.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use time::OffsetDateTime;

use super::model::MIN_JP;
use super::service::{self, JpReport, OpenData, SIASN_HEADERS, SiasnExport};
use crate::error::{AppError, AppResult};
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::fields::Moment;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table};

/// `2026-11-22T00:00:00+07:00` or a day, `2026-11-22` (from 00:00 WIB).
pub fn parse_moment(text: &str, field: &str) -> AppResult<OffsetDateTime> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(at);
    }
    crate::certificates::verify::parse_date(text)
        .map(|d| d.midnight().assume_offset(crate::clock::WIB))
        .ok_or_else(|| {
            AppError::invalid_field(field, "tanggal tidak valid (YYYY-MM-DD atau RFC 3339)")
        })
}

fn this_year() -> i32 {
    crate::clock::today_wib().year()
}

pub fn jp_table(report: &JpReport) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = ["NIP", "Nama", "Unit kerja", "JP", "Memenuhi 20 JP"]
        .map(String::from)
        .to_vec();
    let rows = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.nip.clone().unwrap_or_default(),
                r.name.clone(),
                r.unit_kerja.clone(),
                r.jp.to_string(),
                if r.meets_minimum { "Ya" } else { "Tidak" }.into(),
            ]
        })
        .collect();
    (headers, rows)
}

#[derive(Object)]
struct MyJp {
    year: i32,
    jp: i32,
    minimum: i32,
}

pub struct RecordsApi;

#[OpenApi(tag = "ApiTags::Records")]
impl RecordsApi {
    /// Riwayat kursus for SIASN (admin): one row per standing certificate
    /// issued in `[since, until)`, and the revocations in that time. Pass the
    /// previous reply's `until` as `since` to pull only what is new.
    #[oai(path = "/records/kursus", method = "get")]
    async fn kursus(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        since: Query<Option<Moment>>,
        until: Query<Option<Moment>>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<SiasnExport>> {
        let (since, until) = (since.0.map(|m| m.0), until.0.map(|m| m.0));
        let export =
            service::siasn(&state.engine, &state.config, auth.user(), since, until).await?;
        let headers: Vec<String> = SIASN_HEADERS.iter().map(|h| h.to_string()).collect();
        let rows: Vec<Vec<String>> = export.rows.iter().map(|r| r.cells()).collect();
        table(format.0, export, "riwayat-kursus", &headers, &rows)
    }

    /// JP per civil servant for the year against the 20 JP minimum, with
    /// totals per unit kerja (admin).
    #[oai(path = "/records/jp", method = "get")]
    async fn jp(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        year: Query<Option<i32>>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<JpReport>> {
        let year = year.0.unwrap_or_else(this_year);
        let report = service::jp_report(&state.engine, auth.user(), year).await?;
        let (headers, rows) = jp_table(&report);
        let name = format!("rekap-jp-{}", report.year);
        table(format.0, report, &name, &headers, &rows)
    }

    /// Anonymised statistics for the open-data portal (public: no personal data).
    #[oai(path = "/records/open-data", method = "get")]
    async fn open_data(
        &self,
        state: Data<&AppState>,
        year: Query<Option<i32>>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<OpenData>> {
        let data = service::open_data(&state.engine, year.0.unwrap_or_else(this_year)).await?;
        let headers = [
            "tahun",
            "jenis",
            "nama",
            "pelatihan",
            "peserta",
            "bersertifikat",
            "jp",
        ]
        .map(String::from)
        .to_vec();
        let mut rows = Vec::new();
        for t in &data.per_track {
            rows.push(vec![
                data.year.to_string(),
                "jalur".into(),
                t.track.clone(),
                t.trainings.to_string(),
                t.participants.to_string(),
                t.certified.to_string(),
                t.jp.to_string(),
            ]);
        }
        for o in &data.jp_per_opd {
            rows.push(vec![
                data.year.to_string(),
                "opd".into(),
                o.unit_kerja.clone(),
                String::new(),
                o.participants.to_string(),
                String::new(),
                o.jp.to_string(),
            ]);
        }
        let name = format!("bimtek-open-data-{}", data.year);
        table(format.0, data, &name, &headers, &rows)
    }

    /// The caller's JP for the year.
    #[oai(path = "/me/jp", method = "get")]
    async fn my_jp(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        year: Query<Option<i32>>,
    ) -> AppResult<Json<MyJp>> {
        let year = year.0.unwrap_or_else(this_year);
        Ok(Json(MyJp {
            year,
            jp: service::jp_of(&state.engine, auth.user().id, year).await?,
            minimum: MIN_JP,
        }))
    }
}

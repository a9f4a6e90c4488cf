//! A table as an API response: JSON by default, or a CSV/XLSX download
//! (`?format=csv|xlsx`), so every report offers the same three.

use poem_openapi::payload::{Binary, Json, PlainText};
use poem_openapi::{ApiResponse, Enum};

use crate::download;
use crate::error::AppResult;
use crate::http::responses::Alternatives;

/// `?format=`: JSON (the default), CSV or XLSX.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum TableFormat {
    Json,
    Csv,
    Xlsx,
}

pub fn json_format() -> TableFormat {
    TableFormat::Json
}

/// A table in the format asked for, documented as one 200 with three media types.
pub type Table<T> = Alternatives<TableBody<T>>;

#[derive(ApiResponse)]
pub enum TableBody<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// The table: JSON by default, or a CSV or XLSX download (`format=csv|xlsx`,
    /// with `Content-Disposition`).
    #[oai(status = 200)]
    Json(Json<T>),
    /// As CSV (UTF-8 with BOM).
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
    /// As an Excel workbook.
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    Xlsx(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// `value` as JSON, or `headers` and `rows` as a file named after `title`
/// (which also names the Excel sheet).
pub fn table<T: poem_openapi::types::ToJSON + Send + Sync>(
    format: TableFormat,
    value: T,
    title: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> AppResult<Table<T>> {
    let name = download::file_stem(title);
    Ok(Alternatives(match format {
        TableFormat::Json => TableBody::Json(Json(value)),
        TableFormat::Csv => TableBody::Csv(
            PlainText(String::from_utf8(download::csv(headers, rows)?).unwrap_or_default()),
            format!("attachment; filename=\"{name}.csv\""),
        ),
        TableFormat::Xlsx => TableBody::Xlsx(
            Binary(download::xlsx(title, headers, rows)?),
            format!("attachment; filename=\"{name}.xlsx\""),
        ),
    }))
}

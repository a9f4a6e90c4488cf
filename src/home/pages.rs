//! The home page: one section per role, linking to what that role does.
//! Capabilities not built yet would be listed as "belum tersedia", never faked.

use minijinja::context;
use poem::handler;
use poem::web::{CsrfToken, Data, Html, Query};
use poem::{Route, get};

use crate::accounts::model::Role;
use crate::error::AppResult;
use crate::http::auth::PageUser;
use crate::http::pages::Flash;
use crate::http::state::AppState;

/// `(title, description, link)`; no link means not built yet.
type Entry = (&'static str, &'static str, Option<&'static str>);

fn sections(role: Role) -> Vec<Entry> {
    match role {
        Role::Admin => vec![
            (
                "Pengguna",
                "Tambah, impor, dan nonaktifkan akun ASN, asesor, dan administrator.",
                Some("/admin/users"),
            ),
            (
                "Kursus & modul",
                "Susun kursus Bimtek dan modulnya, lalu terbitkan.",
                Some("/admin/courses"),
            ),
            (
                "Bank soal",
                "Impor soal GIFT, Aiken, atau Moodle XML.",
                Some("/admin/banks"),
            ),
            (
                "Angkatan",
                "Jadwalkan angkatan, daftarkan peserta, catat kehadiran.",
                Some("/admin/batches"),
            ),
            (
                "Uji kompetensi",
                "Susun ujian dari templat, tetapkan asesor, rilis hasil, tangani banding.",
                Some("/admin/exams"),
            ),
            (
                "Sertifikat",
                "Terbitkan dan cabut sertifikat dari halaman angkatan.",
                Some("/admin/batches"),
            ),
            (
                "Laporan SIASN & JP",
                "Ekspor riwayat kursus dan rekap 20 JP.",
                Some("/admin/records/jp"),
            ),
            (
                "Dokumentasi API",
                "Antarmuka JSON untuk integrasi.",
                Some("/api/docs"),
            ),
        ],
        Role::Assessor => vec![(
            "Antrean penilaian",
            "Nilai tugas uji kompetensi secara anonim.",
            Some("/grading"),
        )],
        Role::Trainee => vec![
            (
                "Bimtek saya",
                "Angkatan yang Anda ikuti, modul, dan kuis.",
                Some("/my/batches"),
            ),
            (
                "Uji kompetensi",
                "Kerjakan ujian dan lihat hasil Kompeten / Belum Kompeten per unit.",
                Some("/my/exams"),
            ),
            (
                "Sertifikat saya",
                "Unduh sertifikat yang telah terbit.",
                Some("/my/certificates"),
            ),
            (
                "JP tahun ini",
                "Rekap jam pelajaran menuju 20 JP per tahun, dari sertifikat Anda.",
                Some("/my/certificates"),
            ),
        ],
    }
}

#[handler]
pub async fn home(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(query): Query<Flash>,
) -> AppResult<Html<String>> {
    let groups: Vec<_> = Role::ALL
        .iter()
        .filter(|r| user.0.has(**r))
        .map(|r| {
            context! {
                title => r.label(),
                entries => sections(*r).into_iter().map(|(title, description, link)| context! { title, description, link }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let year = crate::clock::today_wib().year();
    let jp = if user.0.has(Role::Trainee) {
        Some(crate::records::service::jp_of(&state.engine, user.0.id, year).await?)
    } else {
        None
    };
    state.templates.page(
        "home.html",
        Some(&user.0),
        csrf,
        context! { groups => groups, jp => jp, year => year, minimum => crate::records::model::MIN_JP, notice => query.notice },
    )
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route.at("/", get(home))
}

//! Everything wrong with an exam spec, each error naming its field: units,
//! tasks, uploads, and the rubric of every task and of each parallel form.

use super::{Criterion, ExamSpec};
use crate::error::FieldError;

const EXTENSIONS: [&str; 4] = ["pdf", "docx", "png", "jpg"];

/// Everything wrong with a spec, each error naming its field.
pub fn check_spec(spec: &ExamSpec) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if spec.units.is_empty() {
        errors.push(FieldError::new("units", "minimal satu unit kompetensi"));
    }
    for (i, unit) in spec.units.iter().enumerate() {
        if unit.code.trim().is_empty() {
            errors.push(FieldError::new(format!("units[{i}].code"), "wajib diisi"));
        }
        if unit.title.trim().is_empty() {
            errors.push(FieldError::new(format!("units[{i}].title"), "wajib diisi"));
        }
        if spec.units[..i].iter().any(|u| u.code == unit.code) {
            errors.push(FieldError::new(
                format!("units[{i}].code"),
                format!("kode unit '{}' sudah dipakai", unit.code),
            ));
        }
        if !(0.0..=100.0).contains(&unit.objective_pass_percent) {
            errors.push(FieldError::new(
                format!("units[{i}].objective_pass_percent"),
                "harus 0–100",
            ));
        }
        if unit.objective_count == 0 && !spec.tasks.iter().any(|t| t.unit == unit.code) {
            errors.push(FieldError::new(
                format!("units[{i}]"),
                "unit tanpa soal objektif harus punya minimal satu tugas",
            ));
        }
    }
    for (i, task) in spec.tasks.iter().enumerate() {
        let field = |name: &str| format!("tasks[{i}].{name}");
        if task.key.trim().is_empty() {
            errors.push(FieldError::new(field("key"), "wajib diisi"));
        } else if spec.tasks[..i].iter().any(|t| t.key == task.key) {
            errors.push(FieldError::new(
                field("key"),
                format!("kunci tugas '{}' sudah dipakai", task.key),
            ));
        }
        if spec.unit(&task.unit).is_none() {
            errors.push(FieldError::new(
                field("unit"),
                format!("unit '{}' tidak ada di daftar unit", task.unit),
            ));
        }
        if task.word_limit.is_some() && task.char_limit.is_some() {
            errors.push(FieldError::new(
                field("char_limit"),
                "pilih batas kata atau batas karakter, bukan keduanya",
            ));
        }
        if task.word_limit == Some(0) || task.char_limit == Some(0) {
            errors.push(FieldError::new(field("word_limit"), "batas minimal 1"));
        }
        if let Some(upload) = &task.upload {
            for (j, ext) in upload.extensions.iter().enumerate() {
                if !EXTENSIONS.contains(&ext.as_str()) {
                    errors.push(FieldError::new(
                        format!("tasks[{i}].upload.extensions[{j}]"),
                        format!("jenis berkas '{ext}' tidak didukung (pdf, docx, png, jpg)"),
                    ));
                }
            }
            if upload.extensions.is_empty() {
                errors.push(FieldError::new(
                    field("upload.extensions"),
                    "minimal satu jenis",
                ));
            }
            if upload.max_kib == 0 || upload.max_kib as usize * 1024 > super::MAX_TASK_FILE_BYTES {
                errors.push(FieldError::new(
                    field("upload.max_kib"),
                    "harus 1–10240 KiB",
                ));
            }
        }
        // One question stands for one task: the form an attempt drew is
        // found by its question.
        if let Some((other, question)) = spec.tasks[..i].iter().find_map(|t| {
            task.questions()
                .find(|q| t.questions().any(|o| o == *q))
                .map(|q| (&t.key, q))
        }) {
            errors.push(FieldError::new(
                field("question"),
                format!("soal '{question}' sudah dipakai tugas '{other}'"),
            ));
        }
        check_rubric(
            &format!("tasks[{i}]"),
            &task.rubric,
            task.pass_points,
            &mut errors,
        );
        for (f, form) in task.parallel_forms.iter().enumerate() {
            let at = format!("tasks[{i}].parallel_forms[{f}]");
            if form.question == task.question
                || task.parallel_forms[..f]
                    .iter()
                    .any(|other| other.question == form.question)
            {
                errors.push(FieldError::new(
                    format!("{at}.question"),
                    format!(
                        "soal '{}' sudah dipakai bentuk lain tugas ini",
                        form.question
                    ),
                ));
            }
            check_rubric(&at, &form.rubric, form.pass_points, &mut errors);
        }
    }
    errors
}

/// The rubric of a task or of one of its forms, `at` naming it
/// (`tasks[0]`, `tasks[0].parallel_forms[1]`).
fn check_rubric(at: &str, rubric: &[Criterion], pass_points: f64, errors: &mut Vec<FieldError>) {
    if rubric.is_empty() {
        errors.push(FieldError::new(
            format!("{at}.rubric"),
            "minimal satu kriteria",
        ));
    }
    for (c, criterion) in rubric.iter().enumerate() {
        let at = format!("{at}.rubric[{c}]");
        if criterion.criterion.trim().is_empty() {
            errors.push(FieldError::new(format!("{at}.criterion"), "wajib diisi"));
        }
        if criterion.levels.len() < 2 {
            errors.push(FieldError::new(format!("{at}.levels"), "minimal dua level"));
        }
        for (l, level) in criterion.levels.iter().enumerate() {
            if level.descriptor.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.levels[{l}].descriptor"),
                    "wajib diisi",
                ));
            }
            if level.points < 0.0 || (l > 0 && level.points <= criterion.levels[l - 1].points) {
                errors.push(FieldError::new(
                    format!("{at}.levels[{l}].points"),
                    "poin level harus naik dari level sebelumnya dan tidak negatif",
                ));
            }
        }
        if let (Some(must), Some(lowest), Some(top)) = (
            criterion.must_reach,
            criterion.levels.first(),
            criterion.levels.last(),
        ) && (must <= lowest.points || must > top.points)
        {
            errors.push(FieldError::new(
                format!("{at}.must_reach"),
                format!(
                    "harus lebih dari {} (level terendah) dan paling banyak {} (level tertinggi)",
                    lowest.points, top.points
                ),
            ));
        }
    }
    let max_points: f64 = rubric
        .iter()
        .filter_map(|c| c.levels.last().map(|l| l.points))
        .sum();
    if pass_points <= 0.0 || pass_points > max_points {
        errors.push(FieldError::new(
            format!("{at}.pass_points"),
            format!("harus lebih dari 0 dan paling banyak {max_points}"),
        ));
    }
}

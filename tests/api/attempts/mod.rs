//! Quizzes and the attempt engine (`src/attempts/`): taking a quiz through
//! the API and the pages, essays marked in quizzes, Cloze questions,
//! pictures in questions, and the pre- and post-test.

mod cloze;
mod essays;
mod pages;
mod pre_post;
mod question_media;
mod quizzes;

use crate::support::Case;

pub fn cases() -> Vec<Case> {
    [
        quizzes::cases(),
        pages::cases(),
        essays::cases(),
        cloze::cases(),
        question_media::cases(),
        pre_post::cases(),
    ]
    .concat()
}

//! Values of a few and their words for people (`("nominated", "заявка на экспертизе")`): the one
//! lookup of a value's words in such a list, used by the kinds' fields and the pages alike.

/// The words of `value` in a list of values and their words.
pub fn word_of(list: &'static [(&'static str, &'static str)], value: &str) -> Option<&'static str> {
    list.iter().find(|(v, _)| *v == value).map(|(_, w)| *w)
}

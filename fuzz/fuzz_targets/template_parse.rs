//! `template_parse`: any text through `Template::parse`. See `nastavnik_fuzz::template_parse`
//! for the checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nastavnik_fuzz::template_parse(data));

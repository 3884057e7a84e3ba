//! `sync_plan`: a `POST /api/sync` body decoded as the server does, planned against a fixed
//! world; the first byte picks the person. See `nastavnik_fuzz::sync_plan` for the checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nastavnik_fuzz::sync_plan(data));

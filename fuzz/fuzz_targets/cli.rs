#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ig_fuzz::cli(data));

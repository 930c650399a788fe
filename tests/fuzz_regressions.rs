//! Replays every saved fuzz input (`fuzz/regressions/TARGET/*`) through the same checks the
//! fuzz targets run, so CI keeps fixed crashers fixed without fuzzing.

#[path = "../fuzz/targets.rs"]
mod targets;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let data = std::fs::read(&f).unwrap();
        check(&data);
    }
}

#[test]
fn rules_text() {
    replay("rules_text", targets::rules_text);
    targets::rules_text(include_bytes!("../examples/double11.promo"));
}

#[test]
fn ask_request() {
    replay("ask_request", targets::ask_request);
    targets::ask_request(br#"{"query": "best", "cart": {"lines": [{"id": "L1", "sku": "SHOE-1", "shop": "nike", "price": "699", "qty": 1}]}, "wallet": ["plat", "shop20"]}"#);
}

#[test]
fn quote_invariants() {
    replay("quote_invariants", targets::quote_invariants);
    for seed in 0u8..64 {
        let data: Vec<u8> = (0..200u32)
            .map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed))
            .collect();
        targets::quote_invariants(&data);
    }
}

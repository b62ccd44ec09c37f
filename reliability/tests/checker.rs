//! The hostile-input checker catches what it is meant to catch: a
//! half-written event, an injected field, a missing or extra event, and the
//! wrong kind of end. The expectations are the same for every adapter: one
//! error policy (a clean end) for all.

use reliability::client::End;
use reliability::scenarios::{HostileOutcome, expected_end, expected_events};
use reliability::sources::Hostile;

fn outcome(case: Hostile, raw: &[u8], end: End) -> HostileOutcome {
    let events = reliability::client::decode_all(raw)
        .into_iter()
        .filter_map(|item| match item {
            Ok(sse_core::decode::Decoded::Event(event)) => Some(event),
            _ => None,
        })
        .collect();
    HostileOutcome {
        case,
        status: 200,
        raw: raw.to_vec(),
        end,
        events,
    }
}

#[test]
fn the_expected_body_passes() {
    let ok = outcome(Hostile::SourceError, b"data: a\n\ndata: b\n\n", End::Clean);
    assert_eq!(ok.events, expected_events(Hostile::SourceError));
    ok.check().unwrap();
    for case in Hostile::ALL {
        let end = if case == Hostile::Panic {
            End::Closed
        } else {
            End::Clean
        };
        assert_eq!(expected_end(case), end, "{case:?}");
    }
}

#[test]
fn a_half_written_event_fails() {
    let half = outcome(
        Hostile::SourceError,
        b"data: a\n\ndata: b\n\ndata: ne",
        End::Clean,
    );
    assert!(half.check().unwrap_err().contains("half-written"));
    let unterminated = outcome(Hostile::SourceError, b"data: a\n\ndata: b\n", End::Clean);
    assert!(unterminated.check().is_err());
}

#[test]
fn an_injected_field_fails() {
    let injected = outcome(
        Hostile::EventId,
        b"data: before\n\nid: 7\ndata: injected\n\n",
        End::Clean,
    );
    assert!(injected.check().unwrap_err().contains("injected"));
}

#[test]
fn missing_or_extra_events_fail() {
    let missing = outcome(Hostile::Json, b"data: {\"value\":1}\n\n", End::Clean);
    assert!(missing.check().is_err());
    let panic_extra = outcome(Hostile::Panic, b"data: a\n\ndata: x\n\n", End::Closed);
    assert!(panic_extra.check().is_err());
    let panic_nothing = outcome(Hostile::Panic, b"", End::Closed);
    panic_nothing.check().unwrap();
}

#[test]
fn the_wrong_end_fails() {
    // A source error must end the body cleanly on every adapter (actix-web
    // included, since the one error policy): a closed connection fails.
    let closed = outcome(Hostile::SourceError, b"data: a\n\ndata: b\n\n", End::Closed);
    assert!(closed.check().unwrap_err().contains("ended"));
    let panic_clean = outcome(Hostile::Panic, b"data: a\n\n", End::Clean);
    assert!(panic_clean.check().is_err());
}

//! Cheap, bounded versions of each measurement of the `sse-load` binary,
//! on all three adapters, each server in a child process. Timing bounds
//! are loose: the machine is shared.

use reliability::scenarios;
use reliability::server::Adapter;
use reliability::sources::Hostile;
use std::path::Path;
use std::time::Duration;

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_sse-load"))
}

/// The slow readers' receive buffer: small, so that the kernel parks
/// little; with 4 KiB events, the pause shows well within the test's 2 s
/// even in a debug build.
const SMALL: u32 = 16 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_readers_pause_the_source_and_keep_memory_bounded() {
    for adapter in Adapter::OURS {
        for channel in [false, true] {
            let r = scenarios::slow_readers(
                exe(),
                adapter,
                20,
                Duration::from_millis(2000),
                channel,
                true,
                Some(SMALL),
            )
            .await
            .unwrap();
            eprintln!("{r:?}, growth {:.1} MiB", r.growth_mib());
            // Pulled, not pushed: once the socket buffers are full, nothing
            // more is produced.
            assert!(
                r.settled_after.is_some(),
                "{adapter} channel={channel}: still producing"
            );
            assert!(r.items_end > 0, "{adapter}: nothing produced");
            // 20 clients: well under 1 MiB each.
            assert!(
                r.growth_mib() < 20.0,
                "{adapter} channel={channel}: grew {:.1} MiB",
                r.growth_mib()
            );
            assert_eq!(
                r.leftover, 0,
                "{adapter} channel={channel}: sources or tasks left"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_idle_connection_gets_its_keep_alives() {
    reliability::sys::raise_nofile(4096).unwrap();
    for adapter in Adapter::ALL {
        let r = scenarios::many_idle(
            exe(),
            adapter,
            200,
            Duration::from_millis(200),
            Duration::from_millis(1200),
        )
        .await
        .unwrap();
        eprintln!("{r:?}, {:.1} KiB/connection", r.kib_per_conn());
        assert_eq!(r.failed, 0, "{adapter}");
        assert!(r.min_keep_alives >= r.expected_min(), "{adapter}: {r:?}");
        assert!(
            r.kib_per_conn() < 100.0,
            "{adapter}: {:.1} KiB/connection",
            r.kib_per_conn()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_drops_every_source_and_leaks_no_task() {
    for adapter in Adapter::OURS {
        let r = scenarios::churn(exe(), adapter, 1000, 32).await.unwrap();
        eprintln!("{r:?}");
        assert_eq!(r.failed, 0, "{adapter}");
        assert_eq!(r.end.created, 1000, "{adapter}");
        assert_eq!(
            r.end.dropped, r.end.created,
            "{adapter}: sources not dropped"
        );
        assert!(
            r.end.tasks <= r.warm.tasks,
            "{adapter}: tasks {} -> {}",
            r.warm.tasks,
            r.end.tasks
        );
        assert!(
            r.drift_kib() < 8 * 1024,
            "{adapter}: RSS drift {} KiB",
            r.drift_kib()
        );
    }
}

/// Every adapter ends each stream cleanly (the final empty chunk) after
/// the shutdown event, actix-web included: the body is never aborted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_with_100_open_streams_completes_promptly() {
    for adapter in Adapter::OURS {
        let r = scenarios::shutdown(exe(), adapter, 100).await.unwrap();
        eprintln!("{r:?}");
        assert_eq!(r.got_bye, 100, "{adapter}: shutdown event missing");
        assert_eq!(r.clean, 100, "{adapter}: not every stream ended cleanly");
        assert_eq!(r.closed, 0, "{adapter}");
        // actix-web closes the connections left idle at the latest after
        // its `shutdown_timeout` (1 s here).
        assert!(
            r.server_took < Duration::from_secs(2),
            "{adapter}: {:?}",
            r.server_took
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_8_mib_event_streams_whole_and_a_1_mib_decoder_refuses_it() {
    for adapter in Adapter::OURS {
        let server = reliability::child::ChildServer::spawn_with_env(
            exe(),
            adapter,
            Default::default(),
            &[reliability::child::EXACT_MALLOC],
        )
        .unwrap();
        server.stats().await.unwrap();
        let bytes = scenarios::huge_event(&server, 8 << 20, false)
            .await
            .unwrap();
        let text = scenarios::huge_event(&server, 8 << 20, true).await.unwrap();
        eprintln!(
            "{bytes:?} extra {:.1} MiB; {text:?} extra {:.1} MiB",
            bytes.extra_mib(),
            text.extra_mib()
        );
        // `Raw` over `Bytes` is not copied by the library; actix-web copies
        // the chunk into its write buffer once. `Text` is copied once into
        // the body buffer. Either way: at most one copy, plus slack.
        assert!(
            bytes.extra_mib() < 8.0 + 4.0,
            "{adapter}: {:.1} MiB",
            bytes.extra_mib()
        );
        assert!(
            text.extra_mib() < 8.0 + 4.0,
            "{adapter}: {:.1} MiB",
            text.extra_mib()
        );
        if !adapter.on_actix_web() {
            assert!(bytes.extra_mib() < 2.0, "{adapter}: the payload was copied");
        }
        let refusal = scenarios::refuse_huge(&server, 8 << 20, 1 << 20)
            .await
            .unwrap();
        assert_eq!(refusal.refused_with_limit, 1 << 20, "{adapter}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_never_half_writes_or_injects_and_the_server_keeps_serving() {
    for adapter in Adapter::OURS {
        let r = scenarios::hostile(exe(), adapter, 1).await.unwrap();
        assert_eq!(r.outcomes.len(), Hostile::ALL.len());
        for outcome in &r.outcomes {
            if let Err(err) = outcome.check() {
                panic!("{adapter}: {err}");
            }
        }
        assert!(
            r.witness_alive,
            "{adapter}: the other client's stream stopped"
        );
        assert!(r.served_after, "{adapter}: a new client was not served");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sustained_load_delivers_every_event_in_order() {
    for adapter in Adapter::OURS {
        let r = scenarios::load(
            exe(),
            adapter,
            50,
            Duration::from_secs(2),
            Duration::from_millis(20),
        )
        .await
        .unwrap();
        assert_eq!(r.failures, Vec::<String>::new(), "{adapter}");
        assert_eq!(r.complete, 50, "{adapter}");
        assert_eq!(r.received, 50 * r.events_per_client, "{adapter}");
    }
}

/// The hub served through sse-axum: 200 subscribers of one topic, 20 of
/// them slow (they stop reading for 1.5 s with small buffers, while 300
/// events of about 560 bytes go by and the hub retains 100): every fast
/// one gets every event once, in order; every slow one catches up exactly
/// or gets a reset naming what it missed, never a silent gap; and no
/// subscriber is left on the hub when the clients are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_fanout_is_exact_for_fast_subscribers_and_never_silent_for_slow_ones() {
    reliability::sys::raise_nofile(4096).unwrap();
    let plan = reliability::hub::FanoutPlan {
        subscribers: 200,
        slow: 20,
        events: 300,
        burst: 5,
        every: Duration::from_millis(10),
        pad: 500,
        pause: Duration::from_millis(1500),
        slow_recv_buffer: 4096,
        send_buffer: 8192,
        hub: reliability::server::HubOptions {
            retained: 100,
            live_buffer: 32,
            max_age: None,
        },
    };
    let r = reliability::hub::fanout(exe(), plan).await.unwrap();
    eprintln!("{r:?}");
    assert_eq!(r.failures, Vec::<String>::new());
    assert_eq!(r.fast_reset, 0, "a fast subscriber fell behind for good");
    assert_eq!(r.fast_exact, 180);
    assert_eq!(r.slow_exact + r.slow_reset, 20);
    assert_eq!(r.after.subscribers, 0, "subscribers left: {}", r.after);
    assert!(r.ok());
}

/// 1,000 subscribe/unsubscribe cycles on 4 published and 4 quiet topics:
/// no subscriber left, the quiet topics dropped with their last
/// subscriber, and nothing at all once the events aged out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_churn_leaks_no_subscriber_and_no_topic() {
    let r = reliability::hub::churn(exe(), 1000, 32, 4).await.unwrap();
    eprintln!("{r:?}");
    assert_eq!(r.failures, Vec::<String>::new());
    assert_eq!(r.after.subscribers, 0, "{}", r.after);
    assert!(r.after.topics <= 4, "quiet topics left: {}", r.after);
    assert_eq!(r.swept.topics, 0, "{}", r.swept);
    assert_eq!(r.swept.retained, 0, "{}", r.swept);
    assert!(r.ok());
}
